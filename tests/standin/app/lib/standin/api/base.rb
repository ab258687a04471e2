# frozen_string_literal: true

# TEST DOUBLE of chatwoot/chatwoot: the parts of Rails' ActionController the API endpoints (platform.rb,
# application.rb) depend on, written from the behaviour of Rails 7.1.5.2 (Chatwoot 4.15.1's Gemfile.lock):
#   params        query string, then the body (JSON when the content type is JSON, else a form), then the path:
#                 ActionDispatch::Http::Parameters#parameters; a JSON body that is not an object is params["_json"]
#   wrap          config/initializers/wrap_parameters.rb (wrap_parameters format: [:json]) and
#                 ActionController::ParamsWrapper: a JSON body is also put under the controller's singular name,
#                 limited to the model's attribute names when a model of that name exists (all keys otherwise),
#                 unless the body already has that key
#   require       ActionController::Parameters#require: blank (nil, "", {}, []) raises ParameterMissing,
#                 "param is missing or the value is empty: <key>"
#   permit        ActionController::Parameters#permit: unpermitted keys are dropped; a scalar key keeps only a
#                 scalar (String, Numeric, true, false, nil), `key: []` only an array of scalars, `key: {}` any
#                 object, `key: [filters]` an object (or array of objects) filtered again
#   errors        a production app's JSON answers to exceptions nothing rescued: {"status":500,"error":"Internal
#                 Server Error"}, {"status":404,"error":"Not Found"} (ActionDispatch::PublicExceptions)

require "json"
require "active_support"
require "active_support/json"
require "active_support/core_ext/object/blank"

module Standin
  module Api
    JSON_TYPE = "application/json; charset=utf-8"

    # ActionController::ParameterMissing
    class ParameterMissing < StandardError
      def initialize(key)
        super("param is missing or the value is empty: #{key}")
      end
    end

    # What Chatwoot does and the stand-in does not (a 500 that says so).
    class NotImitated < StandardError
      def initialize(what)
        super("#{what}: not imitated by the TEST DOUBLE")
      end
    end

    # Pundit::NotAuthorizedError
    class NotAuthorized < StandardError; end

    # A before_action that rendered: the response ends the request.
    class Halt < StandardError
      attr_reader :response

      def initialize(response)
        @response = response
        super("halted")
      end
    end

    SCALARS = [String, Symbol, NilClass, Numeric, TrueClass, FalseClass].freeze

    module_function

    def json(status, payload)
      [status, { "content-type" => JSON_TYPE }, [ActiveSupport::JSON.encode(payload)]]
    end

    # `head :ok` in a JSON controller: no body, the request's format as content type.
    def head(status)
      [status, { "content-type" => JSON_TYPE }, []]
    end

    def halt(status, payload)
      raise Halt, json(status, payload)
    end

    def server_error
      json(500, { "status" => 500, "error" => "Internal Server Error" })
    end

    def rails_not_found
      json(404, { "status" => 404, "error" => "Not Found" })
    end

    def scalar?(value)
      SCALARS.any? { |type| value.is_a?(type) }
    end

    def require_param(params, key)
      value = params[key.to_s]
      raise ParameterMissing, key unless value.present? || value == false

      value
    end

    def permit(hash, filters)
      return {} unless hash.is_a?(Hash)

      filters.each_with_object({}) do |filter, out|
        if filter.is_a?(Hash)
          filter.each { |key, spec| permit_nested(hash, key.to_s, spec, out) }
        else
          key = filter.to_s
          out[key] = hash[key] if hash.key?(key) && scalar?(hash[key])
        end
      end
    end

    def permit_nested(hash, key, spec, out)
      return unless hash.key?(key)

      value = hash[key]
      if spec == []
        out[key] = value if value.is_a?(Array) && value.all? { |v| scalar?(v) }
      elsif spec == {}
        out[key] = value if value.is_a?(Hash)
      elsif value.is_a?(Array)
        out[key] = value.select { |v| v.is_a?(Hash) }.map { |v| permit(v, spec) }
      elsif value.is_a?(Hash)
        out[key] = permit(value, spec)
      end
    end

    # Rails' params for one request: query, body, path (later ones win), with the JSON wrapper of the
    # controller named `wrapper` (model: the class whose attribute names limit it, or nil).
    def params_of(request, path_params, wrapper: nil, model: nil)
      query = request.GET
      body, json_body = body_params(request)
      params = query.merge(body).merge(path_params)
      if json_body && wrapper && !body.key?(wrapper)
        keys = model&.attribute_names
        params[wrapper] = keys ? body.slice(*keys) : body.except("authenticity_token", "_method", "utf8")
      end
      params
    end

    def body_params(request)
      if request.media_type.to_s.match?(%r{\Aapplication/(.+\+)?json\z})
        # Rack 3's input cannot be rewound: the body is read once.
        raw = request.body&.read.to_s
        return [{}, true] if raw.strip.empty?

        data = JSON.parse(raw)
        [data.is_a?(Hash) ? data : { "_json" => data }, true]
      else
        [request.POST, false]
      end
    end
  end
end
