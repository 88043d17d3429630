'use strict'
// activitypub-express requires its MongoDB store module even when the app supplies its
// own store. Hearth stores everything in SQLite, so the driver (about 11 MB of memory)
// is replaced by this empty module. Anything that tries to use it fails loudly.
const refuse = () => { throw new Error('MongoDB is not part of Hearth: apex must be given the SQLite store') }
module.exports = { MongoClient: refuse, ObjectId: refuse }
