# frozen_string_literal: true

# TEST DOUBLE of chatwoot/chatwoot: the Platform API (/platform/api/v1), written from Chatwoot 4.15.1:
#   app/controllers/platform_controller.rb   header api_access_token (or HTTP_API_ACCESS_TOKEN); a token not
#       owned by a PlatformApp: 401 {"error":"Invalid access_token"}; then set_resource (Model.find: an unknown
#       id is Rails' own 404, nothing rescues it), then the permissible check: 401 {"error":"Non permissible
#       resource"}; ActiveRecord::RecordInvalid -> 422 {"message","attributes"} (RequestExceptionHandler)
#   app/controllers/platform/api/v1/accounts_controller.rb   index: the app's permissible accounts (a deleted
#       account leaves its permissible, and rendering nil is a 500); create adds a permissible; destroy enqueues
#       DeleteObjectJob
#   app/controllers/platform/api/v1/account_users_controller.rb   checks the account only; create upserts by
#       user_id (any user: none -> 422 "User must exist"); destroy answers 200 whether or not there was one
#   app/controllers/platform/api/v1/users_controller.rb   create: User.from_email(email) || User.new(params),
#       skip_confirmation!, save!, permissible; update merges custom_attributes; destroy enqueues DeleteObjectJob
#   config/routes.rb (namespace :platform), app/views/platform/api/v1/**
# Not imitated: agent_bots, email_channel_migrations, users/:id/login; accounts' `features` (no feature flags).

require_relative "base"
require_relative "views"

module Standin
  module Api
    class Platform
      ROUTES = [
        ["GET", %r{\A/platform/api/v1/accounts\z}, :accounts_index],
        ["POST", %r{\A/platform/api/v1/accounts\z}, :accounts_create],
        ["GET", %r{\A/platform/api/v1/accounts/(?<id>[^/.]+)\z}, :accounts_show],
        [%w[PATCH PUT], %r{\A/platform/api/v1/accounts/(?<id>[^/.]+)\z}, :accounts_update],
        ["DELETE", %r{\A/platform/api/v1/accounts/(?<id>[^/.]+)\z}, :accounts_destroy],
        ["GET", %r{\A/platform/api/v1/accounts/(?<account_id>[^/.]+)/account_users\z}, :account_users_index],
        ["POST", %r{\A/platform/api/v1/accounts/(?<account_id>[^/.]+)/account_users\z}, :account_users_create],
        ["DELETE", %r{\A/platform/api/v1/accounts/(?<account_id>[^/.]+)/account_users\z}, :account_users_destroy],
        ["POST", %r{\A/platform/api/v1/users\z}, :users_create],
        ["GET", %r{\A/platform/api/v1/users/(?<id>[^/.]+)\z}, :users_show],
        [%w[PATCH PUT], %r{\A/platform/api/v1/users/(?<id>[^/.]+)\z}, :users_update],
        ["DELETE", %r{\A/platform/api/v1/users/(?<id>[^/.]+)\z}, :users_destroy],
        ["POST", %r{\A/platform/api/v1/users/(?<id>[^/.]+)/token\z}, :users_token]
      ].freeze

      ACCOUNT_PARAMS = [:name, :locale, :domain, :support_email, :status,
                        { features: {}, limits: {}, custom_attributes: {} }].freeze
      USER_PARAMS = [:name, :display_name, :email, :password, { custom_attributes: {} }].freeze

      def self.route(method, path)
        ROUTES.each do |methods, pattern, action|
          match = pattern.match(path)
          return [action, match.named_captures] if match && Array(methods).include?(method)
        end
        nil
      end

      def initialize(request, action, path_params)
        @request = request
        @action = action
        @params = Api.params_of(request, path_params)
      end

      def call
        authenticate!
        send(@action)
      rescue Halt => e
        e.response
      rescue ActiveRecord::RecordNotFound
        Api.rails_not_found
      rescue ActiveRecord::RecordInvalid => e
        Api.json(422, { "message" => e.record.errors.full_messages.join(", "),
                        "attributes" => e.record.errors.attribute_names.map(&:to_s) })
      end

      private

      attr_reader :params

      def authenticate!
        token = @request.get_header("HTTP_API_ACCESS_TOKEN")
        access_token = AccessToken.find_by(token: token) if token.present?
        @platform_app = access_token.owner if access_token&.owner.is_a?(PlatformApp)
        Api.halt(401, { "error" => "Invalid access_token" }) if @platform_app.blank?
      end

      def permissible!(resource)
        return if @platform_app.platform_app_permissibles.find_by(permissible: resource)

        Api.halt(401, { "error" => "Non permissible resource" })
      end

      def account_params
        Api.permit(params, ACCOUNT_PARAMS).except("features")
      end

      # ------------------------------------------------------------------ accounts
      def accounts_index
        accounts = @platform_app.platform_app_permissibles.where(permissible_type: "Account").map(&:permissible)
        Api.json(200, accounts.map { |account| Views.platform_account(account) })
      end

      def accounts_create
        account = Account.create!(account_params)
        @platform_app.platform_app_permissibles.find_or_create_by(permissible: account)
        Api.json(200, Views.platform_account(account))
      end

      def find_account(id)
        account = Account.find(id)
        permissible!(account)
        account
      end

      def accounts_show
        Api.json(200, Views.platform_account(find_account(params["id"])))
      end

      def accounts_update
        account = find_account(params["id"])
        account.assign_attributes(account_params)
        account.save!
        Api.json(200, Views.platform_account(account))
      end

      def accounts_destroy
        account = find_account(params["id"])
        DeleteObjectJob.perform_async("Account", account.id)
        Api.head(200)
      end

      # ------------------------------------------------------------------ account users
      def account_user_params
        Api.permit(params, %i[user_id role])
      end

      def account_users_index
        Api.json(200, find_account(params["account_id"]).account_users.to_a)
      end

      def account_users_create
        account = find_account(params["account_id"])
        account_user = account.account_users.find_or_initialize_by(user_id: account_user_params["user_id"])
        account_user.update!(account_user_params)
        Api.json(200, account_user)
      end

      def account_users_destroy
        account = find_account(params["account_id"])
        account.account_users.find_by(user_id: account_user_params["user_id"])&.destroy!
        Api.head(200)
      end

      # ------------------------------------------------------------------ users
      def user_params
        Api.permit(params, USER_PARAMS)
      end

      def users_create
        attributes = user_params
        user = User.from_email(attributes["email"]) || User.new(attributes)
        user.skip_confirmation!
        user.save!
        @platform_app.platform_app_permissibles.find_or_create_by!(permissible: user)
        Api.json(200, Views.platform_user(user))
      end

      def find_user
        user = User.find(params["id"])
        permissible!(user)
        user
      end

      def users_show
        Api.json(200, Views.platform_user(find_user))
      end

      def users_update
        user = find_user
        attributes = user_params
        merged = attributes["custom_attributes"] ? user.custom_attributes.merge(attributes["custom_attributes"]) : user.custom_attributes
        user.assign_attributes(attributes.except("custom_attributes").merge("custom_attributes" => merged))
        user.save!
        Api.json(200, Views.platform_user(user))
      end

      def users_destroy
        user = find_user
        DeleteObjectJob.perform_async("User", user.id)
        Api.head(200)
      end

      def users_token
        user = find_user
        Api.json(200, { "access_token" => user.access_token.token, "expiry" => nil,
                        "user" => { "id" => user.id, "name" => user.name, "display_name" => user.display_name,
                                    "email" => user.email, "pubsub_token" => user.pubsub_token } })
      end
    end
  end
end
