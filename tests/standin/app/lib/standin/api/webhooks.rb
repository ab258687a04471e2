# frozen_string_literal: true

# TEST DOUBLE of chatwoot/chatwoot: what happens when a message is created, for the webhooks the API configures,
# written from Chatwoot 4.15.1:
#   app/models/message.rb                 after_create_commit dispatches MESSAGE_CREATED; message_type enum
#   app/dispatchers/async_dispatcher.rb   the event goes to EventDispatcherJob (queue critical), which runs
#                                         WebhookListener in the worker
#   app/listeners/webhook_listener.rb     message_created: only incoming, outgoing and template messages
#                                         (concerns/message_filter_helpers.rb webhook_sendable?); every webhook of
#                                         the account whose webhook_type is account_type and whose subscriptions
#                                         name the event (the webhook's inbox_id is not looked at), then the API
#                                         inbox's own channel webhook_url; each a WebhookJob (queue medium) with the
#                                         webhook's (or channel's) secret and a delivery id
# The stand-in enqueues WebhookJob (app/jobs/webhook_job.rb) from the model's callback, without the
# EventDispatcherJob hop. The payload has the keys of Message#webhook_data, with the account, inbox and
# conversation reduced to their ids and names (not imitated: Conversations::EventDataPresenter's full conversation,
# the sender, attachments). Loaded at the end of models.rb.

require "securerandom"
require "sidekiq"

class Conversation < ApplicationRecord
  belongs_to :account
  belongs_to :inbox
  has_many :messages, dependent: :destroy
end

class Message < ApplicationRecord
  belongs_to :account
  belongs_to :conversation
  enum :message_type, { incoming: 0, outgoing: 1, activity: 2, template: 3 }

  after_create_commit { Standin::WebhookListener.message_created(self) }

  def inbox
    conversation.inbox
  end

  def webhook_sendable?
    incoming? || outgoing? || template?
  end

  def webhook_data
    { "account" => { "id" => account.id, "name" => account.name }, "additional_attributes" => {},
      "content_attributes" => {}, "content_type" => "text", "content" => content,
      "conversation" => { "id" => conversation.display_id, "inbox_id" => conversation.inbox_id },
      "created_at" => created_at.utc.iso8601(3), "id" => id,
      "inbox" => { "id" => inbox.id, "name" => inbox.name }, "message_type" => message_type,
      "private" => false, "sender" => nil, "source_id" => nil }
  end
end

module Standin
  module WebhookListener
    module_function

    def message_created(message)
      return unless message.webhook_sendable?

      payload = message.webhook_data.merge("event" => "message_created")
      message.account.webhooks.where(webhook_type: Webhook.webhook_types[:account_type]).find_each do |webhook|
        next unless webhook.subscriptions.include?(payload["event"])

        WebhookJob.perform_async(webhook.url, payload, "account_webhook", webhook.secret, SecureRandom.uuid)
      end
      inbox = message.inbox
      return unless inbox.api? && inbox.channel.webhook_url.present?

      WebhookJob.perform_async(inbox.channel.webhook_url, payload, "api_inbox_webhook", inbox.channel.secret,
                               SecureRandom.uuid)
    end
  end
end

require File.join(Standin::APP_ROOT, "app", "jobs", "webhook_job")
