# frozen_string_literal: true

# TEST DOUBLE of chatwoot/chatwoot: the `rails` command of the stand-in image (run by bin/rails). As Rails 7.1.5.2
# (railties lib/rails/commands.rb, lib/rails/command.rb): the first argument names a Rails command, or else rake
# tasks. Supports exactly what the collection runs:
#   rails s -p 3000 -b 0.0.0.0        web server (lib/standin/server.rb)
#   rails runner 'RUBY' | FILE | -    evaluate code with the app loaded (Sidekiq client, jobs, models)
#   rails TASK [TASK…] [VAR=value…]   rake tasks of /app/Rakefile (lib/standin/rake_command.rb), in the order given:
#                                     db:chatwoot_prepare (create/load/seed/migrate, lib/standin/prepare.rb),
#                                     db:migrate (pending migrations only; fails on a missing or empty database),
#                                     and the tasks of /app/lib/tasks/**/*.rake (e.g. a directory mounted there)
# The other Rails commands fail loudly; an unknown task fails as in Rails ("Unrecognized command", exit 1).

$LOAD_PATH.unshift File.expand_path("../lib", __dir__)
require "standin/core"

# Rails' other commands (railties @ v7.1.5.2 lib/rails/commands/*; NAME:SUBCOMMAND for those with several, the bare
# NAME then prints their help), their aliases (lib/rails/commands.rb), help and version (lib/rails/command.rb
# HELP_MAPPINGS, VERSION_MAPPINGS; no name at all is help): Rails runs them, the stand-in does not have them. Any other
# NAME:SUB under those namespaces is no command, so rake's, as db:migrate is (db:system:change is the command under
# db:); test:<folder> are the test command's (Rails::TestUnit::Runner::TEST_FOLDERS), all taken for it here.
not_imitated_names = %w[about application console dbconsole destroy gem_help generate help initializers middleware new
                        notes plugin restart routes secret unused_routes version
                        credentials credentials:edit credentials:show credentials:diff encrypted encrypted:edit
                        encrypted:show secrets secrets:edit secrets:show dev dev:cache db:system:change test
                        c g d db t -h -? --help -v --version]
not_imitated = lambda do |name|
  name.to_s.empty? || not_imitated_names.include?(name) || name.start_with?("test:")
end

command = ARGV.shift
case command
when "s", "server"
  require "standin/server"
  Standin::Server.run(ARGV)
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
  if not_imitated.call(command)
    warn "rails #{command.to_s.empty? ? '(no command)' : command}: not imitated by the TEST DOUBLE of " \
         "chatwoot/chatwoot (it has the commands s, runner and the rake tasks of /app/Rakefile)"
    exit 1
  end

  # Rails::Command.invoke: no command of that name, so rake (Rails::Command::RakeCommand).
  require "standin/rake_command"
  Standin::RakeCommand.perform(command, ARGV)
end
