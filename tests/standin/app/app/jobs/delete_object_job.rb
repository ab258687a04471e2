# frozen_string_literal: true

# TEST DOUBLE of chatwoot/chatwoot: app/jobs/delete_object_job.rb @ v4.15.1, queue `low`: the asynchronous
# deletion behind DELETE of an inbox or an account (Platform and Application APIs) and of a user (Platform API,
# and an agent removed from their last account). Until the worker runs it, the object is still there and still
# listed. Chatwoot's is an ActiveJob given the object (GlobalID); this one is a Sidekiq job given its class and id.
# The platform_app_permissibles of a deleted account are left behind, as Chatwoot leaves them (Account has no
# association to them).

require "sidekiq"
require_relative "../../lib/standin/api/models"

class DeleteObjectJob
  include Sidekiq::Job
  sidekiq_options queue: "low"

  TYPES = %w[Account Inbox User].freeze

  def perform(type, id)
    raise ArgumentError, "DeleteObjectJob: unknown type #{type}" unless TYPES.include?(type)

    Object.const_get(type).find_by(id: id)&.destroy!
  end
end
