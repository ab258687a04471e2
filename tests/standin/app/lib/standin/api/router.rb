# frozen_string_literal: true

# TEST DOUBLE of chatwoot/chatwoot: the entry of the Platform API (/platform/api/v1, platform.rb) and of the
# Application API (/api/v1/accounts/:account_id, application.rb), called by Standin::Web for those paths. Each
# request runs on a connection of ActiveRecord's pool; what no endpoint rescues is a production app's JSON 500
# (or 400 for a body that is not JSON), and a path no route matches is Rails' 404.

require "sidekiq"
require_relative "base"

module Standin
  module Api
    module_function

    def call(request)
      load_app
      method = request.request_method
      path = request.path_info.chomp("/")
      if (found = Platform.route(method, path))
        action, path_params = found
        run(request) { Platform.new(request, action, path_params).call }
      elsif (found = Application.route(method, path))
        controller, action, path_params = found
        run(request) { Application.new(request, controller, action, path_params).call }
      end
    end

    def run(request)
      ActiveRecord::Base.connection_pool.with_connection { yield }
    rescue JSON::ParserError
      json(400, { "status" => 400, "error" => "Bad Request" })
    rescue StandardError => e
      Standin.log(:error, "#{request.request_method} #{request.path_info}: #{e.class} (#{e.message.strip})")
      e.backtrace.to_a.first(5).each { |line| Standin.log(:error, "  #{line}") }
      server_error
    end

    # The models (lib/standin/api/models.rb) and DeleteObjectJob's client side, loaded on the first API request
    # so that the web process starts as before.
    def load_app
      return if defined?(@loaded) && @loaded

      require_relative "models"
      require_relative "platform"
      require_relative "application"
      require File.join(Standin::APP_ROOT, "app", "jobs", "delete_object_job")
      Sidekiq.configure_client { |config| config.redis = Standin.redis_config }
      @loaded = true
    end
  end
end
