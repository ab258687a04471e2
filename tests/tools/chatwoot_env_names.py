# SPDX-License-Identifier: GPL-3.0-or-later
"""The environment names a Chatwoot source tree reads, one a line: what tests/unit/roles/chatwoot_env_names.txt
records for the release the role's list was taken from (its first line names it).

    python3 tests/tools/chatwoot_env_names.py /path/to/chatwoot v4.15.1 > tests/unit/roles/chatwoot_env_names.txt

Run it by hand when the role's list (__chatwoot_known_env in roles/chatwoot/vars/main.yml) moves to another release;
the unit tests then compare the role's list with the file, so they need no Chatwoot source on the machine.
"""
import re
import sys
from pathlib import Path

READ_RE = re.compile(r"""(?:ENV\.fetch\(|ENV\[|ENV\.key\?\(|GlobalConfigService\.load\()\s*['"]([A-Z0-9_]+)['"]""")
# Rails reads DATABASE_URL itself; GlobalConfigService.load gets ENABLE_INSTAGRAM_CHANNEL_HUMAN_AGENT through a
# variable (app/services/conversations/message_window_service.rb).
READ_ELSEWHERE = {"DATABASE_URL", "ENABLE_INSTAGRAM_CHANNEL_HUMAN_AGENT"}


def names_read(source):
    read = set(READ_ELSEWHERE)
    for top in ("app", "lib", "config", "enterprise"):
        for path in (source / top).rglob("*"):
            if path.is_file() and "tasks" not in path.relative_to(source).parts:
                read.update(READ_RE.findall(path.read_text(errors="replace")))
    return sorted(read)


def main(argv):
    if len(argv) != 3 or not (Path(argv[1]) / "app").is_dir():
        sys.stderr.write("usage: chatwoot_env_names.py CHATWOOT_SOURCE_DIR RELEASE\n")
        return 2
    print(f"# Environment names Chatwoot {argv[2]} reads (tests/tools/chatwoot_env_names.py)")
    print("\n".join(names_read(Path(argv[1]))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
