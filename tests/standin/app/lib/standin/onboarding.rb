# frozen_string_literal: true

# TEST DOUBLE of chatwoot/chatwoot: the installation onboarding, mixed into Standin::Web, written from
#   app/controllers/installation/onboarding_controller.rb  before_action: no onboarding key -> 302 /;
#       GET: the form; POST (no CSRF check): AccountBuilder(account_name: user[company], user_full_name: user[name],
#       email: user[email], user_password: user[password], super_admin: true, confirmed: true).perform, then the
#       key is deleted and 302 /; any error: 302 / with the message in the flash, and the key stays.
#   app/controllers/dashboard_controller.rb  GET / -> 302 /installation/onboarding while the key exists (web.rb).
#   app/controllers/application_controller.rb  the controller's parent: around_action :switch_locale (web.rb) runs
#       before the key check.
# The hub registration (subscribe_to_updates) is not imitated: it calls hub.2.chatwoot.com.
#
# One pool, as in Chatwoot: there AccountBuilder's queries run on the request's pooled connection, the one /api's
# `connection.active?` is later asked about (active_record_pool.rb). Here the models run on the real ActiveRecord,
# which has a pool of its own, so a request whose builder ran a query leaves its leased connection connected too,
# as that query would have.

module Standin
  module Onboarding
    FORM = <<~HTML
      <form action="/installation/onboarding" method="post">
      <input name="user[name]"> <input name="user[company]"> <input name="user[email]" type="email">
      <input name="user[password]" type="password"> <input name="subscribe_to_updates" type="checkbox">
      <button type="submit">Finish setup</button></form>
    HTML

    private

    def onboarding_route(request)
      return not_found unless request.get? || request.head? || request.post?
      return redirect(request, "/") unless onboarding_pending?
      return onboarding_form unless request.post?

      onboarding_create(request)
    end

    def onboarding_form
      [200, { "content-type" => Web::HTML_TYPE },
       ["<!DOCTYPE html><html><head><title>Chatwoot</title></head><body>" \
        "<p>Chatwoot (TEST DOUBLE): installation onboarding, create the super admin here</p>#{FORM}</body></html>\n"]]
    end

    def onboarding_create(request)
      user = request.POST["user"]
      user = {} unless user.is_a?(Hash)
      require_relative "models"
      queried = false
      me = Thread.current
      watch = ActiveSupport::Notifications.subscribe("sql.active_record") do |*, payload|
        queried ||= Thread.current == me && !payload[:exception]
      end
      begin
        ActiveRecord::Base.connection_pool.with_connection do
          AccountBuilder.new(account_name: user["company"], user_full_name: user["name"], email: user["email"],
                             user_password: user["password"], super_admin: true, confirmed: true).perform
        end
      rescue StandardError => e
        Standin.log(:info, "Onboarding refused: #{e.class}: #{e.message}")
        return redirect(request, "/")
      ensure
        ActiveSupport::Notifications.unsubscribe(watch)
        connect_leased_connection if queried
      end
      Redis::Alfred.delete(Redis::Alfred::CHATWOOT_INSTALLATION_ONBOARDING)
      Standin.log(:info, "Onboarding finished: super admin created, #{ONBOARDING_KEY} deleted")
      redirect(request, "/")
    end

    def connect_leased_connection
      adapter = lease.connection
      adapter.connect! unless adapter.connected?
    rescue ActiveRecordPool::StatementInvalid, ActiveRecordPool::ConnectionNotEstablished
      nil
    end
  end
end
