# frozen_string_literal: true

# TEST DOUBLE of chatwoot/chatwoot: the Application API the collection's modules use
# (/api/v1/accounts/:account_id/...), written from Chatwoot 4.15.1 (paths under app/controllers/ unless named):
#   api/base_controller.rb, concerns/access_token_auth_helper.rb   no api_access_token header: devise's 401
#       {"errors":["You need to sign in or sign up before continuing."]}; an unknown token: 401 "Invalid Access
#       Token"; a token of anything but a User (a Platform App): 401 "Access to this endpoint is not authorized
#       for bots"
#   concerns/ensure_current_account_helper.rb   Account.find (unknown: 404), suspended: 401 "Account is
#       suspended", not a member: 401 "You are not authorized to access this account"
#   concerns/request_exception_handler.rb   (around every action, before_actions included) RecordNotFound: 404
#       {"error":"Resource could not be found"}; Pundit::NotAuthorizedError: 401 {"error":"You are not authorized
#       to do this action"}; ParameterMissing: 422 {"error":"param is missing or the value is empty: x"};
#       RecordInvalid: 422 {"message","attributes"}; anything else: 500
#   app/policies/{user,inbox,team,team_member,webhook,label}_policy.rb   rights by account_users.role only
#   api/v1/accounts/agents_controller.rb, app/builders/agent_builder.rb, enterprise/app/controllers/enterprise/
#       api/v1/accounts/agents_controller.rb (custom_role_id = params[:custom_role_id] after create and update)
#   api/v1/accounts/inboxes_controller.rb, app/helpers/api/v1/inboxes_helper.rb   create: channel of an allowed
#       type (web_widget api email line telegram whatsapp sms; only the first three here) else no channel
#       ("Channel must exist"); update: the channel's EDITABLE_ATTRS plus `type` (which a channel has no attribute
#       for: a 500); destroy enqueues DeleteObjectJob and answers a message
#   api/v1/accounts/inbox_members_controller.rb, teams_controller.rb, team_members_controller.rb,
#       webhooks_controller.rb, labels_controller.rb, canned_responses_controller.rb
#   app/views/api/v1/** (views.rb)
# Not imitated: line/telegram/whatsapp/sms channels (they answer as unknown types), the e-mail channel's IMAP and SMTP
# connection checks on update, account limits (402), avatars, working_hours updates, csat_config formatting, agent
# bulk_create, search of canned responses.

require_relative "base"
require_relative "views"

module Standin
  module Api
    class Application
      A = %r{\A/api/v1/accounts/(?<account_id>[^/.]+)}
      ID = "(?<id>[^/.]+)"
      ROUTES = [
        ["GET", %r{#{A}/agents\z}, :agents, :index],
        ["POST", %r{#{A}/agents\z}, :agents, :create],
        [%w[PATCH PUT], %r{#{A}/agents/#{ID}\z}, :agents, :update],
        ["DELETE", %r{#{A}/agents/#{ID}\z}, :agents, :destroy],
        ["GET", %r{#{A}/inboxes\z}, :inboxes, :index],
        ["POST", %r{#{A}/inboxes\z}, :inboxes, :create],
        ["GET", %r{#{A}/inboxes/#{ID}\z}, :inboxes, :show],
        [%w[PATCH PUT], %r{#{A}/inboxes/#{ID}\z}, :inboxes, :update],
        ["DELETE", %r{#{A}/inboxes/#{ID}\z}, :inboxes, :destroy],
        ["GET", %r{#{A}/inbox_members/(?<inbox_id>[^/.]+)\z}, :inbox_members, :show],
        ["POST", %r{#{A}/inbox_members\z}, :inbox_members, :create],
        ["PATCH", %r{#{A}/inbox_members\z}, :inbox_members, :update],
        ["DELETE", %r{#{A}/inbox_members\z}, :inbox_members, :destroy],
        ["GET", %r{#{A}/teams\z}, :teams, :index],
        ["POST", %r{#{A}/teams\z}, :teams, :create],
        ["GET", %r{#{A}/teams/#{ID}\z}, :teams, :show],
        [%w[PATCH PUT], %r{#{A}/teams/#{ID}\z}, :teams, :update],
        ["DELETE", %r{#{A}/teams/#{ID}\z}, :teams, :destroy],
        ["GET", %r{#{A}/teams/(?<team_id>[^/.]+)/team_members\z}, :team_members, :index],
        ["POST", %r{#{A}/teams/(?<team_id>[^/.]+)/team_members\z}, :team_members, :create],
        ["PATCH", %r{#{A}/teams/(?<team_id>[^/.]+)/team_members\z}, :team_members, :update],
        ["DELETE", %r{#{A}/teams/(?<team_id>[^/.]+)/team_members\z}, :team_members, :destroy],
        ["GET", %r{#{A}/webhooks\z}, :webhooks, :index],
        ["POST", %r{#{A}/webhooks\z}, :webhooks, :create],
        [%w[PATCH PUT], %r{#{A}/webhooks/#{ID}\z}, :webhooks, :update],
        ["DELETE", %r{#{A}/webhooks/#{ID}\z}, :webhooks, :destroy],
        ["GET", %r{#{A}/labels\z}, :labels, :index],
        ["POST", %r{#{A}/labels\z}, :labels, :create],
        ["GET", %r{#{A}/labels/#{ID}\z}, :labels, :show],
        [%w[PATCH PUT], %r{#{A}/labels/#{ID}\z}, :labels, :update],
        ["DELETE", %r{#{A}/labels/#{ID}\z}, :labels, :destroy],
        ["GET", %r{#{A}/canned_responses\z}, :canned_responses, :index],
        ["POST", %r{#{A}/canned_responses\z}, :canned_responses, :create],
        [%w[PATCH PUT], %r{#{A}/canned_responses/#{ID}\z}, :canned_responses, :update],
        ["DELETE", %r{#{A}/canned_responses/#{ID}\z}, :canned_responses, :destroy]
      ].freeze

      # ParamsWrapper: the controller's singular name, limited to the attributes of the model of that name if any
      # (there is no Agent model: agents wrap every key).
      WRAPPERS = { agents: ["agent", nil], inboxes: ["inbox", "Inbox"], inbox_members: ["inbox_member", "InboxMember"],
                   teams: ["team", "Team"], team_members: ["team_member", "TeamMember"],
                   webhooks: ["webhook", "Webhook"], labels: ["label", "Label"],
                   canned_responses: ["canned_response", "CannedResponse"] }.freeze

      CHANNELS = { "web_widget" => [:web_widgets, "Channel::WebWidget"], "api" => [:api_channels, "Channel::Api"],
                   "email" => [:email_channels, "Channel::Email"] }.freeze
      ALLOWED_CHANNEL_TYPES = %w[web_widget api email line telegram whatsapp sms voice].freeze # EE adds voice

      INBOX_ATTRIBUTES = [:name, :avatar, :greeting_enabled, :greeting_message, :enable_email_collect,
                          :csat_survey_enabled, :enable_auto_assignment, :working_hours_enabled, :out_of_office_message,
                          :timezone, :allow_messages_after_resolved, :lock_to_single_conversation, :portal_id,
                          :sender_name_type, :business_name,
                          { csat_config: [:display_type, :message, :button_text, :language,
                                          { survey_rules: [:operator, { values: [] }] }] },
                          { auto_assignment_config: [:max_assignment_limit] }].freeze

      def self.route(method, path)
        ROUTES.each do |methods, pattern, controller, action|
          match = pattern.match(path)
          return [controller, action, match.named_captures] if match && Array(methods).include?(method)
        end
        nil
      end

      def initialize(request, controller, action, path_params)
        @request = request
        @controller = controller
        @action = action
        wrapper, model = WRAPPERS.fetch(controller)
        @params = Api.params_of(request, path_params, wrapper: wrapper, model: model && Object.const_get(model))
      end

      def call
        authenticate!
        current_account!
        send("#{@controller}_#{@action}")
      rescue Halt => e
        e.response
      rescue ActiveRecord::RecordNotFound
        Api.json(404, { "error" => "Resource could not be found" })
      rescue NotAuthorized
        Api.json(401, { "error" => "You are not authorized to do this action" })
      rescue ParameterMissing => e
        Api.json(422, { "error" => e.message })
      rescue ActiveRecord::RecordInvalid => e
        Api.json(422, { "message" => e.record.errors.full_messages.join(", "),
                        "attributes" => e.record.errors.attribute_names.map(&:to_s) })
      ensure
        Current.reset
      end

      private

      attr_reader :params

      def authenticate!
        token = @request.get_header("HTTP_API_ACCESS_TOKEN")
        if token.blank?
          Api.halt(401, { "errors" => ["You need to sign in or sign up before continuing."] })
        end
        access_token = AccessToken.find_by(token: token)
        Api.halt(401, { "error" => "Invalid Access Token" }) if access_token.nil?
        owner = access_token.owner
        Api.halt(401, { "error" => "Access to this endpoint is not authorized for bots" }) unless owner.is_a?(User)
        Current.user = owner
      end

      def current_account!
        account = Account.find(params["account_id"])
        Api.halt(401, { "error" => "Account is suspended" }) unless account.active?
        Current.account = account
        Current.account_user = account.account_users.find_by(user_id: Current.user.id)
        Api.halt(401, { "error" => "You are not authorized to access this account" }) unless Current.account_user
      end

      def account
        Current.account
      end

      def administrator!
        raise NotAuthorized unless Current.account_user.administrator?
      end

      def agent_json(users)
        users.map { |user| Views.agent(user) }
      end

      # ------------------------------------------------------------------ agents
      def agents
        account.users.order_by_full_name.includes(:account_users)
      end

      def agents_index
        Api.json(200, agent_json(agents))
      end

      def agents_create
        administrator!
        attributes = Api.permit(Api.require_param(params, :agent), %i[email name role availability auto_offline])
        user = nil
        ActiveRecord::Base.transaction do
          user = agent_builder_user(attributes)
          AccountUser.create!({ account_id: account.id, user_id: user.id, inviter_id: Current.user.id }.merge(
            { role: attributes["role"], availability: attributes["availability"],
              auto_offline: attributes["auto_offline"] }.compact
          ))
        end
        user.reload.current_account_user.update!(custom_role_id: params["custom_role_id"])
        Api.json(200, Views.agent(user))
      end

      # AgentBuilder#find_or_create_user: the user of that email, else a new one, unconfirmed, named after the
      # email's local part when no name is given, with a random password Chatwoot's rules accept.
      def agent_builder_user(attributes)
        email = attributes["email"]
        user = User.from_email(email)
        return user if user

        name = attributes["name"].presence || email.split("@").first
        password = "1!aA#{SecureRandom.alphanumeric(12)}"
        User.create!(email: email, name: name, password: password, password_confirmation: password)
      end

      def agents_update
        user = agents.find(params["id"])
        administrator!
        attributes = Api.permit(Api.require_param(params, :agent), %i[name email role availability auto_offline])
        user.update!(attributes.slice("name").compact)
        user.current_account_user.update!(attributes.slice("role", "availability", "auto_offline").compact)
        user.current_account_user.update!(custom_role_id: params["custom_role_id"])
        Api.json(200, Views.agent(user))
      end

      def agents_destroy
        user = agents.find(params["id"])
        administrator!
        user.current_account_user.destroy!
        DeleteObjectJob.perform_async("User", user.id) if user.reload.account_users.blank?
        Api.head(200)
      end

      # ------------------------------------------------------------------ inboxes
      def inbox_params(channel_attributes = [])
        params.each { |key, value| params[key] = nil if value == "null" }
        Api.permit(params, INBOX_ATTRIBUTES + [{ channel: [:type, *channel_attributes] }])
      end

      def fetch_inbox(id)
        inbox = account.inboxes.find(id)
        raise NotAuthorized unless Current.user.assigned_inboxes.include?(inbox)

        inbox
      end

      def inboxes_index
        Api.json(200, { "payload" => Current.user.assigned_inboxes.order_by_name.map { |i| Views.inbox(i) } })
      end

      def inboxes_show
        Api.json(200, Views.inbox(fetch_inbox(params["id"])))
      end

      def inboxes_create
        administrator!
        inbox = nil
        ActiveRecord::Base.transaction do
          channel = create_channel
          inbox = account.inboxes.build({ "name" => inbox_params["name"], "channel" => channel }
                                          .merge(inbox_params.except("channel")))
          inbox.save!
        end
        Api.json(200, Views.inbox(inbox))
      end

      def create_channel
        type = inbox_params["channel"]["type"]
        return unless ALLOWED_CHANNEL_TYPES.include?(type)

        association, class_name = CHANNELS.fetch(type) { raise NotImitated, "channel type #{type}" }
        editable = Object.const_get(class_name)::EDITABLE_ATTRS
        account.public_send(association).create!(inbox_params(editable)["channel"].except("type"))
      end

      def inboxes_update
        inbox = fetch_inbox(params["id"])
        administrator!
        inbox.update!(inbox_params.except("channel", "csat_config"))
        editable = inbox.channel.class::EDITABLE_ATTRS
        channel_attributes = inbox_params(editable)["channel"]
        if channel_attributes.present?
          channel = inbox.channel
          flags = channel_attributes.delete("selected_feature_flags") if inbox.web_widget?
          channel.update!(channel_attributes) # a `type` key: ActiveModel::UnknownAttributeError, a 500
          if inbox.web_widget? && !flags.nil?
            channel.selected_feature_flags = flags
            channel.save!
          end
        end
        Api.json(200, Views.inbox(inbox.reload))
      end

      def inboxes_destroy
        inbox = fetch_inbox(params["id"])
        administrator!
        DeleteObjectJob.perform_async("Inbox", inbox.id)
        Api.json(200, { "message" => "Your inbox deletion request will be processed in some time." })
      end

      # ------------------------------------------------------------------ inbox members
      def inbox_members_payload(inbox)
        Api.json(200, { "payload" => agent_json(account.users.where(id: inbox.members.select(:id))) })
      end

      def inbox_members_show
        inbox = account.inboxes.find(params["inbox_id"])
        raise NotAuthorized unless Current.user.assigned_inboxes.include?(inbox)

        inbox_members_payload(inbox)
      end

      def inbox_members_create
        inbox = account.inboxes.find(params["inbox_id"])
        current = inbox.members.pluck(:id)
        administrator!
        ActiveRecord::Base.transaction { inbox.add_members(params["user_ids"] - current) }
        inbox_members_payload(inbox)
      end

      def inbox_members_update
        inbox = account.inboxes.find(params["inbox_id"])
        current = inbox.members.pluck(:id)
        administrator!
        ActiveRecord::Base.transaction do
          inbox.add_members(params["user_ids"] - current)
          inbox.remove_members(current - params["user_ids"])
        end
        inbox_members_payload(inbox.reload)
      end

      def inbox_members_destroy
        inbox = account.inboxes.find(params["inbox_id"])
        administrator!
        ActiveRecord::Base.transaction { inbox.remove_members(params["user_ids"]) }
        Api.head(200)
      end

      # ------------------------------------------------------------------ teams
      def team_params
        Api.permit(Api.require_param(params, :team), %i[name description allow_auto_assign])
      end

      def teams_index
        Api.json(200, account.teams.map { |team| Views.team(team) })
      end

      def teams_show
        Api.json(200, Views.team(account.teams.find(params["id"])))
      end

      def teams_create
        administrator!
        team = account.teams.new(team_params)
        team.save!
        Api.json(200, Views.team(team))
      end

      def teams_update
        team = account.teams.find(params["id"])
        administrator!
        team.update!(team_params)
        Api.json(200, Views.team(team))
      end

      def teams_destroy
        team = account.teams.find(params["id"])
        administrator!
        team.destroy!
        Api.head(200)
      end

      # ------------------------------------------------------------------ team members
      def fetch_team
        team = account.teams.find(params["team_id"])
        administrator! unless @action == :index
        unless @action == :index
          invalid = params["user_ids"].map(&:to_i) - team.account.user_ids
          Api.halt(401, { "error" => "Invalid User IDs" }) if invalid.present?
        end
        team
      end

      def team_members_index
        Api.json(200, agent_json(fetch_team.team_members.map(&:user)))
      end

      def team_members_create
        team = fetch_team
        added = nil
        ActiveRecord::Base.transaction { added = team.add_members(params["user_ids"] - team.members.pluck(:id)) }
        Api.json(200, agent_json(added))
      end

      def team_members_update
        team = fetch_team
        current = team.members.pluck(:id)
        ActiveRecord::Base.transaction do
          team.add_members(params["user_ids"] - current)
          team.remove_members(current - params["user_ids"])
        end
        Api.json(200, agent_json(team.reload.members))
      end

      def team_members_destroy
        team = fetch_team
        ActiveRecord::Base.transaction { team.remove_members(params["user_ids"]) }
        Api.head(200)
      end

      # ------------------------------------------------------------------ webhooks
      def webhook_params
        Api.permit(Api.require_param(params, :webhook), [:inbox_id, :name, :url, { subscriptions: [] }])
      end

      def webhooks_index
        administrator!
        Api.json(200, { "payload" => { "webhooks" => account.webhooks.order(:id).map { |w| Views.webhook(w) } } })
      end

      def webhooks_create
        administrator!
        webhook = account.webhooks.new(webhook_params)
        webhook.save!
        Api.json(200, { "payload" => { "webhook" => Views.webhook(webhook) } })
      end

      def webhooks_update
        administrator!
        webhook = account.webhooks.find(params["id"])
        webhook.update!(webhook_params)
        Api.json(200, { "payload" => { "webhook" => Views.webhook(webhook) } })
      end

      def webhooks_destroy
        administrator!
        account.webhooks.find(params["id"]).destroy!
        Api.head(200)
      end

      # ------------------------------------------------------------------ labels
      def label_params
        Api.permit(Api.require_param(params, :label), %i[title description color show_on_sidebar])
      end

      def labels_index
        Api.json(200, { "payload" => account.labels.map { |label| Views.label(label) } })
      end

      def labels_show
        label = account.labels.find(params["id"])
        administrator!
        Api.json(200, Views.label(label))
      end

      def labels_create
        administrator!
        Api.json(200, Views.label(account.labels.create!(label_params)))
      end

      def labels_update
        label = account.labels.find(params["id"])
        administrator!
        label.update!(label_params)
        Api.json(200, Views.label(label))
      end

      def labels_destroy
        label = account.labels.find(params["id"])
        administrator!
        label.destroy!
        Api.head(200)
      end

      # ------------------------------------------------------------------ canned responses (no policy at all)
      def canned_response_params
        Api.permit(Api.require_param(params, :canned_response), %i[short_code content])
      end

      def canned_responses_index
        Api.json(200, account.canned_responses.order(:id).to_a)
      end

      def canned_responses_create
        canned = account.canned_responses.new(canned_response_params)
        canned.save!
        Api.json(200, canned)
      end

      def canned_responses_update
        canned = account.canned_responses.find(params["id"])
        canned.update!(canned_response_params)
        Api.json(200, canned)
      end

      def canned_responses_destroy
        account.canned_responses.find(params["id"]).destroy!
        Api.head(200)
      end
    end
  end
end
