# frozen_string_literal: true

# TEST DOUBLE of chatwoot/chatwoot: the JSON the API endpoints answer with, key for key as Chatwoot 4.15.1's
# jbuilder views write it (paths under app/views/):
#   api/v1/models/_agent.json.jbuilder           agent
#   api/v1/models/_inbox.json.jbuilder           inbox (the channel's keys through channel.try: null when the
#                                                channel has none; hmac_token, secret and the e-mail passwords
#                                                only for an administrator)
#   api/v1/models/_team.json.jbuilder            team (is_member relative to the caller)
#   api/v1/accounts/webhooks/_webhook.json.jbuilder  webhook (inbox only when it has one)
#   api/v1/accounts/labels/*.json.jbuilder       label
#   platform/api/v1/models/_account.json.jbuilder, _user.json.jbuilder  (custom_attributes left out when empty)

module Standin
  module Api
    module Views
      module_function

      def agent(user)
        account_user = user.current_account_user
        out = {
          "id" => user.id, "account_id" => Current.account&.id,
          "availability_status" => availability_status(account_user),
          "auto_offline" => account_user&.auto_offline, "confirmed" => user.confirmed?, "email" => user.email,
          "provider" => user.provider, "available_name" => user.available_name
        }
        out["custom_attributes"] = user.custom_attributes if user.custom_attributes.present?
        out.merge("name" => user.name, "role" => account_user&.role, "thumbnail" => user.avatar_url,
                  "custom_role_id" => account_user&.custom_role_id)
      end

      # app/models/concerns/availability_statusable.rb: without auto_offline the availability set; with it the
      # presence Chatwoot keeps in Redis (OnlineStatusTracker, fed by the dashboard's websocket), which nobody
      # feeds here: "offline".
      def availability_status(account_user)
        return nil unless account_user
        return account_user.availability unless account_user.auto_offline

        "offline"
      end

      def inbox(inbox)
        channel = inbox.channel
        admin = Current.account_user&.administrator?
        out = {
          "id" => inbox.id, "avatar_url" => "", "channel_id" => inbox.channel_id, "name" => inbox.name,
          "channel_type" => inbox.channel_type, "greeting_enabled" => inbox.greeting_enabled,
          "greeting_message" => inbox.greeting_message, "working_hours_enabled" => inbox.working_hours_enabled,
          "enable_email_collect" => inbox.enable_email_collect, "csat_survey_enabled" => inbox.csat_survey_enabled,
          "csat_config" => inbox.csat_config, "enable_auto_assignment" => inbox.enable_auto_assignment,
          "auto_assignment_config" => inbox.auto_assignment_config,
          "out_of_office_message" => inbox.out_of_office_message, "working_hours" => inbox.weekly_schedule,
          "timezone" => inbox.timezone, "callback_webhook_url" => inbox.callback_webhook_url,
          "allow_messages_after_resolved" => inbox.allow_messages_after_resolved,
          "lock_to_single_conversation" => inbox.lock_to_single_conversation,
          "sender_name_type" => inbox.sender_name_type, "business_name" => inbox.business_name
        }
        %w[allowed_domains widget_color website_url hmac_mandatory welcome_title welcome_tagline web_widget_script
           website_token selected_feature_flags reply_time].each { |key| out[key] = try(channel, key) }
        if inbox.web_widget?
          out["hmac_token"] = channel.hmac_token if admin
          out["pre_chat_form_enabled"] = channel.pre_chat_form_enabled
          out["pre_chat_form_options"] = channel.pre_chat_form_options
          out["continuity_via_email"] = channel.continuity_via_email
        end
        out["messaging_service_sid"] = try(channel, "messaging_service_sid")
        out["phone_number"] = try(channel, "phone_number")
        email_keys(out, inbox, channel, admin) if inbox.email?
        if inbox.api?
          out["hmac_token"] = channel.hmac_token if admin
          out["secret"] = channel.secret if admin
          out["webhook_url"] = channel.webhook_url
          out["inbox_identifier"] = channel.identifier
          out["additional_attributes"] = channel.additional_attributes
        end
        out["provider"] = try(channel, "provider")
        out
      end

      IMAP_KEYS = %w[imap_login imap_password imap_address imap_port imap_enabled imap_enable_ssl
                     imap_authentication].freeze
      SMTP_KEYS = %w[smtp_login smtp_password smtp_address smtp_port smtp_enabled smtp_domain smtp_enable_ssl_tls
                     smtp_enable_starttls_auto smtp_openssl_verify_mode smtp_authentication].freeze

      def email_keys(out, _inbox, channel, admin)
        inbound = ENV.fetch("MAILER_INBOUND_EMAIL_DOMAIN", "").present?
        out["email"] = channel.email
        out["forwarding_enabled"] = inbound
        out["forward_to_email"] = channel.forward_to_email if inbound
        return unless admin

        (IMAP_KEYS + SMTP_KEYS).each { |key| out[key] = channel.public_send(key) }
      end

      # Object#try: nil when the channel has no such method.
      def try(channel, key)
        value = channel.respond_to?(key) ? channel.public_send(key) : nil
        value.is_a?(Array) ? value.map { |v| v.is_a?(Symbol) ? v.to_s : v } : value
      end

      def team(team)
        { "id" => team.id, "name" => team.name, "description" => team.description,
          "allow_auto_assign" => team.allow_auto_assign, "account_id" => team.account_id,
          "is_member" => Current.user.teams.include?(team) }
      end

      def webhook(webhook)
        out = { "id" => webhook.id, "name" => webhook.name, "url" => webhook.url, "account_id" => webhook.account_id,
                "subscriptions" => webhook.subscriptions, "secret" => webhook.secret }
        out["inbox"] = { "id" => webhook.inbox.id, "name" => webhook.inbox.name } if webhook.inbox
        out
      end

      def label(label)
        { "id" => label.id, "title" => label.title, "description" => label.description, "color" => label.color,
          "show_on_sidebar" => label.show_on_sidebar }
      end

      def platform_account(account)
        { "id" => account.id, "name" => account.name, "locale" => account.locale, "domain" => account.domain,
          "support_email" => account.support_email, "features" => account.enabled_features,
          "custom_attributes" => account.custom_attributes, "limits" => account.limits, "status" => account.status }
      end

      def platform_user(user)
        active = user.active_account_user
        out = {
          "access_token" => user.access_token.token, "account_id" => active&.account_id,
          "available_name" => user.available_name, "avatar_url" => user.avatar_url, "confirmed" => user.confirmed?,
          "display_name" => user.display_name, "message_signature" => user.message_signature, "email" => user.email,
          "id" => user.id, "name" => user.name, "provider" => user.provider, "pubsub_token" => user.pubsub_token
        }
        out["custom_attributes"] = user.custom_attributes if user.custom_attributes.present?
        out.merge("role" => active&.role, "ui_settings" => user.ui_settings, "uid" => user.uid,
                  "accounts" => user.account_users.map do |au|
                    { "id" => au.account_id, "name" => au.account.name, "active_at" => au.active_at, "role" => au.role }
                  end)
      end
    end
  end
end
