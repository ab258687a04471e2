# frozen_string_literal: true

# TEST DOUBLE of chatwoot/chatwoot: the installation onboarding, mixed into Standin::Web, written from
#   app/controllers/installation/onboarding_controller.rb  before_action: no onboarding key -> 302 /;
#       GET: the form; POST (no CSRF check): AccountBuilder(account_name: user[company], user_full_name: user[name],
#       email: user[email], user_password: user[password], super_admin: true, confirmed: true).perform, then the
#       key is deleted and 302 /; any error: 302 / with the message in the flash, and the key stays.
#   app/controllers/dashboard_controller.rb  GET / -> 302 /installation/onboarding while the key exists (web.rb).
# The hub registration (subscribe_to_updates) is not imitated: it calls hub.2.chatwoot.com.

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
      begin
        ActiveRecord::Base.connection_pool.with_connection do
          AccountBuilder.new(account_name: user["company"], user_full_name: user["name"], email: user["email"],
                             user_password: user["password"], super_admin: true, confirmed: true).perform
        end
      rescue StandardError => e
        Standin.log(:info, "Onboarding refused: #{e.class}: #{e.message}")
        return redirect(request, "/")
      end
      Redis::Alfred.delete(Redis::Alfred::CHATWOOT_INSTALLATION_ONBOARDING)
      Standin.log(:info, "Onboarding finished: super admin created, #{ONBOARDING_KEY} deleted")
      redirect(request, "/")
    end
  end
end
