# frozen_string_literal: true

# TEST DOUBLE of chatwoot/chatwoot: the `rails` command of the stand-in image (run by bin/rails).
# Supports exactly what the collection runs:
#   rails s -p 3000 -b 0.0.0.0        web server (lib/standin/server.rb)
#   rails db:chatwoot_prepare         create/load/seed/migrate (lib/standin/prepare.rb)
#   rails db:migrate                  pending migrations only; fails on a missing or empty database
#   rails runner 'RUBY' | FILE | -    evaluate code with the app loaded (Sidekiq client, jobs, models)
# Anything else fails loudly.

$LOAD_PATH.unshift File.expand_path("../lib", __dir__)
require "standin/core"

command = ARGV.shift
case command
when "s", "server"
  require "standin/server"
  Standin::Server.run(ARGV)
when "db:chatwoot_prepare"
  require "standin/prepare"
  Standin::Prepare.run
when "db:migrate"
  require "standin/prepare"
  Standin::Prepare.run(migrate_only: true)
when "r", "runner"
  code = ARGV.shift
  if code.nil? || code.empty?
    warn "Usage: rails runner 'RUBY CODE' | FILE"
    exit 1
  end
  require "standin/app"
  # Rails' runner: "-" evaluates the code read from standard input.
  if code == "-"
    TOPLEVEL_BINDING.eval($stdin.read, "stdin", 1)
  elsif File.file?(code)
    $PROGRAM_NAME = code
    load File.expand_path(code)
  else
    TOPLEVEL_BINDING.eval(code, "rails runner", 1)
  end
else
  warn "Unrecognized command #{command.inspect} (TEST DOUBLE of chatwoot/chatwoot: supported are " \
       "s, runner, db:chatwoot_prepare, db:migrate)"
  exit 1
end
