// DPOP_REPLAY_BACKEND "postgresql": one jti store for every server on the database (the
// directory's DATABASE or a URL of its own), table authp_dpop_jti (schema step 4). Each proof is
// one INSERT … ON CONFLICT statement, atomic across servers; expired rows are deleted in
// bounded batches, every kPurgeEvery proofs, by the proof that happens to come then.
#pragma once

#include <atomic>
#include <mutex>

#include "core/authn/dpop_replay_store.h"
#include "core/directory/postgres/pg_pool.h"
#include "core/directory/postgres/pg_schema.h"

namespace authpolicy::authn {

class PostgresDpopReplayStore final : public DpopReplayStore {
  public:
    static constexpr unsigned kPurgeEvery = 256;   // proofs between two purges
    static constexpr unsigned kPurgeBatch = 1000;  // rows one purge deletes at most

    // Does not connect: the first proof does (and brings the schema up to date).
    explicit PostgresDpopReplayStore(directory::postgres::PgOptions options);
    Result remember(const crypto::Sha256& digest, double expires, double now) override;
    // Deletes up to kPurgeBatch rows expired at `now`; how many.
    long purge(double now);
    const std::string& target() const { return pool_.target(); }

  private:
    directory::postgres::PgPool& use();

    directory::postgres::PgPool pool_;
    directory::postgres::PgMigrateOnce migration_;
    std::atomic<unsigned> inserts_{0};
};

}  // namespace authpolicy::authn
