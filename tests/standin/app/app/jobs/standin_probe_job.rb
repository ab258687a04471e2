# frozen_string_literal: true

# TEST DOUBLE of chatwoot/chatwoot: a job that proves the worker processed it.
# Enqueue:  bundle exec rails runner 'StandinProbeJob.perform_async("marker")'
# Proof:    Redis key standin:job:marker holds JSON {marker, processed_at, hostname, pid, version}, written after the
#           job broadcast it as Chatwoot's jobs do (Standin.broadcast: cable.yml's Redis connection).
class StandinProbeJob
  include Sidekiq::Job
  sidekiq_options queue: "default", retry: 3

  def perform(marker = "probe")
    proof = JSON.generate(
      "marker" => marker, "processed_at" => Time.now.utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
      "hostname" => Socket.gethostname, "pid" => Process.pid, "version" => Standin.version
    )
    # As Chatwoot's jobs tell the dashboards (ActionCable): a job whose broadcast fails leaves no proof.
    Standin.broadcast("standin_probe", proof)
    Sidekiq.redis { |conn| conn.call("SET", "standin:job:#{marker}", proof) }
    logger.info("StandinProbeJob processed #{marker}")
  end
end
