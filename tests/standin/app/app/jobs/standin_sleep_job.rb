# frozen_string_literal: true

# TEST DOUBLE of chatwoot/chatwoot: a job that runs for a while, to prove what a worker restart does to a job in
# progress (the real Sidekiq gives running jobs sidekiq.yml's :timeout: of 25 s on TERM, then pushes unfinished
# ones back to their queue; a SIGKILL loses them).
# Enqueue:  bundle exec rails runner 'StandinSleepJob.perform_async("marker", 15)'
# Proof:    Redis key standin:sleep:marker:started  JSON {marker, seconds, started_at, hostname, pid, version}
#           Redis key standin:sleep:marker:finished JSON {... , finished_at}, only once it ran to its end
#           Redis key standin:sleep:marker:starts   how many times it started (2 = interrupted and run again)
class StandinSleepJob
  include Sidekiq::Job
  sidekiq_options queue: "default", retry: 3

  def perform(marker = "sleep", seconds = 15)
    proof = { "marker" => marker, "seconds" => seconds, "started_at" => now,
              "hostname" => Socket.gethostname, "pid" => Process.pid, "version" => Standin.version }
    Sidekiq.redis do |conn|
      conn.call("SET", "standin:sleep:#{marker}:started", JSON.generate(proof))
      conn.call("INCR", "standin:sleep:#{marker}:starts")
    end
    logger.info("StandinSleepJob #{marker} started, sleeping #{seconds}s")
    sleep(Float(seconds))
    Sidekiq.redis do |conn|
      conn.call("SET", "standin:sleep:#{marker}:finished", JSON.generate(proof.merge("finished_at" => now)))
    end
    logger.info("StandinSleepJob #{marker} finished")
  end

  private

  def now
    Time.now.utc.strftime("%Y-%m-%dT%H:%M:%S.%3NZ")
  end
end
