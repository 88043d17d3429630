import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import type { Db } from '../db/schema.js';
import { serverSecret } from '../db/secrets.js';
import type { RedemptionRow } from './reward.table.js';

const TYP = 'hearth-voucher+jwt';

/**
 * The signed form of a voucher, carried by its QR code: a JWS (HS256, this server's own
 * key) naming the voucher's code, reward and expiry. The signature proves the voucher
 * was issued here; whether it is still unused is the database's word. HMAC is
 * deterministic, so the token is rebuilt from the row whenever it is shown, never stored.
 */
export class VoucherTokens {
  private key: Promise<Uint8Array> | undefined;

  constructor(
    private readonly db: Db,
    private readonly issuer: string,
  ) {}

  private secret(): Promise<Uint8Array> {
    return (this.key ??= serverSecret(this.db, 'voucher_key'));
  }

  async sign(v: Pick<RedemptionRow, 'code' | 'reward_id' | 'created_at' | 'expires_at'>): Promise<string> {
    return new SignJWT({ rwd: v.reward_id })
      .setProtectedHeader({ alg: 'HS256', typ: TYP })
      .setIssuer(this.issuer)
      .setSubject(v.code)
      .setIssuedAt(Math.floor(Date.parse(v.created_at) / 1000))
      .setExpirationTime(Math.floor(Date.parse(v.expires_at) / 1000))
      .sign(await this.secret());
  }

  /**
   * The voucher code a token names, if this server signed it. An expired token still
   * answers its code, so staff are told "expired" rather than "not ours".
   */
  async codeOf(token: string): Promise<string | null> {
    const options = { issuer: this.issuer, typ: TYP, algorithms: ['HS256'] };
    try {
      const { payload } = await jwtVerify(token, await this.secret(), options);
      return payload.sub ?? null;
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) return typeof err.payload.sub === 'string' ? err.payload.sub : null;
      return null;
    }
  }
}

/** Whether what staff typed or scanned is a token rather than a short code. */
export const looksLikeToken = (input: string): boolean => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(input.trim());
