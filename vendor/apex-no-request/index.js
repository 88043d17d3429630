'use strict'
// activitypub-express fetches remote objects and delivers activities with the
// deprecated `request` library, with no guard against private addresses and no size
// bound. Hearth replaces apex.requestObject (with its SafeFetcher) and never runs
// apex's delivery loop, so this client must never be reached: if it is, that is a bug
// in the wiring, and the request is refused rather than sent unguarded.
module.exports = function refuseUnguardedRequest (options) {
  const url = options && (options.url || options.uri)
  return Promise.reject(new Error(`unguarded apex request refused: ${url}`))
}
