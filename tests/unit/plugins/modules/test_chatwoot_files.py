# -*- coding: utf-8 -*-
# Copyright (c) 2026, SinapUm engineers (@sinapum)
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The chatwoot_files module run in-process through AnsibleModule on real files under tmp_path (one call for many
items, idempotence, atomic writes, validate, check mode, diff, refusals before any change), and once through
ansible-playbook -vvv --diff, where a secret content must appear nowhere in the output."""

from __future__ import annotations

import json
import os
import stat

import pytest

from health_fixtures import run_module
# ansible-playbook -i localhost, -c local --diff on the checkout, as the host_info test runs it
from test_chatwoot_host_info import run_playbook

SECRET = 'Files-S3cret-Value-k9'
OTHER_SECRET = 'Files-Other-S3cret-w4'
SECRETS = (SECRET, OTHER_SECRET)


def run(items, check=False, diff=True):
    args = {'files': items, '_ansible_diff': diff}
    if check:
        args['_ansible_check_mode'] = True
    result, failed = run_module(args, module='chatwoot_files', secrets=SECRETS)
    # no secret anywhere in what the module returned, diff and invocation included
    assert not any(secret in json.dumps(result) for secret in SECRETS)
    return result, failed


def mode_of(path):
    return stat.S_IMODE(os.lstat(str(path)).st_mode)


def items_for(tmp_path):
    project = tmp_path / 'opt' / 'chatwoot'
    return [
        {'path': str(project), 'state': 'directory', 'mode': '0750'},
        {'path': str(project / '.env'), 'secret_content': 'SECRET_KEY_BASE=%s\n' % SECRET, 'mode': '0600'},
        {'path': str(project / 'docker-compose.yml'), 'content': 'services: {}\n', 'mode': '0644'},
        {'path': str(tmp_path / 'unit.service'), 'content': '[Unit]\nDescription=x\n', 'mode': '0644',
         'owner': 'root', 'group': 'root'},
    ]


def test_files_and_a_directory_written_in_one_call(tmp_path):
    result, failed = run(items_for(tmp_path))
    assert not failed, result['msg']
    assert result['changed'] is True
    project = tmp_path / 'opt' / 'chatwoot'
    assert project.is_dir() and mode_of(project) == 0o750
    # the missing parent gets the default mode, not the item's
    assert mode_of(tmp_path / 'opt') == 0o777 & ~current_umask()
    assert (project / '.env').read_text() == 'SECRET_KEY_BASE=%s\n' % SECRET
    assert mode_of(project / '.env') == 0o600
    assert (project / 'docker-compose.yml').read_text() == 'services: {}\n'
    assert mode_of(project / 'docker-compose.yml') == 0o644
    assert (tmp_path / 'unit.service').read_text() == '[Unit]\nDescription=x\n'
    for path in (project, project / '.env', tmp_path / 'unit.service'):
        st = os.lstat(str(path))
        assert (st.st_uid, st.st_gid) == (0, 0)
    assert result['files'] == [
        {'path': str(project), 'state': 'directory', 'changed': True, 'content_changed': False,
         'attributes_changed': True},
        {'path': str(project / '.env'), 'state': 'file', 'changed': True, 'content_changed': True,
         'attributes_changed': True},
        {'path': str(project / 'docker-compose.yml'), 'state': 'file', 'changed': True, 'content_changed': True,
         'attributes_changed': True},
        {'path': str(tmp_path / 'unit.service'), 'state': 'file', 'changed': True, 'content_changed': True,
         'attributes_changed': True},
    ]
    assert len(result['diff']) == 4
    assert result['msg'].startswith('4 of 4 items changed: ') and '\n' not in result['msg']
    # no temporary file left behind
    assert sorted(os.listdir(str(project))) == ['.env', 'docker-compose.yml']


def current_umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_the_second_call_changes_nothing(tmp_path):
    run(items_for(tmp_path))
    inode = os.lstat(str(tmp_path / 'opt' / 'chatwoot' / '.env')).st_ino
    result, failed = run(items_for(tmp_path))
    assert not failed
    assert result['changed'] is False
    assert not any(entry['changed'] or entry['content_changed'] or entry['attributes_changed']
                   for entry in result['files'])
    assert result['diff'] == []
    assert result['msg'] == '4 items, none changed'
    assert os.lstat(str(tmp_path / 'opt' / 'chatwoot' / '.env')).st_ino == inode


def test_only_the_mode_changes_when_only_the_mode_differs(tmp_path):
    target = tmp_path / 'a.conf'
    target.write_text('same\n')
    target.chmod(0o644)
    inode = os.lstat(str(target)).st_ino
    result, failed = run([{'path': str(target), 'content': 'same\n', 'mode': '0600'}])
    assert not failed
    assert result['files'][0] == {'path': str(target), 'state': 'file', 'changed': True, 'content_changed': False,
                                  'attributes_changed': True}
    assert mode_of(target) == 0o600
    assert os.lstat(str(target)).st_ino == inode
    assert result['diff'] == [{'before_header': str(target), 'after_header': '%s (mode 0644 -> 0600)' % target,
                               'before': 'mode 0644\n', 'after': 'mode 0600\n'}]
    assert result['msg'] == '1 of 1 items changed: %s (mode)' % target


def test_a_directory_gets_its_mode_fixed(tmp_path):
    target = tmp_path / 'state'
    target.mkdir(mode=0o755)
    target.chmod(0o755)
    (target / 'kept').write_text('x')
    result, failed = run([{'path': str(target), 'state': 'directory', 'mode': '0700'}])
    assert not failed and result['files'][0]['attributes_changed'] is True
    assert mode_of(target) == 0o700 and (target / 'kept').read_text() == 'x'


def test_a_new_content_replaces_the_file_atomically(tmp_path):
    target = tmp_path / 'docker-compose.yml'
    target.write_text('old\n')
    target.chmod(0o640)
    inode = os.lstat(str(target)).st_ino
    result, failed = run([{'path': str(target), 'content': 'new\n', 'mode': '0640'}])
    assert not failed
    assert result['files'][0]['content_changed'] is True and result['files'][0]['attributes_changed'] is False
    assert target.read_text() == 'new\n' and mode_of(target) == 0o640
    # a new inode: renamed over the old file, not rewritten in place
    assert os.lstat(str(target)).st_ino != inode
    assert os.listdir(str(tmp_path)) == ['docker-compose.yml']
    assert result['diff'] == [{'before_header': str(target), 'after_header': str(target), 'before': 'old\n',
                               'after': 'new\n'}]


def test_validate_receives_the_temporary_file_before_the_rename(tmp_path):
    target = tmp_path / 'app.conf'
    target.write_text('old\n')
    log, copy = tmp_path / 'validated-path', tmp_path / 'validated-copy'
    # it passes only while the real file still holds the old content
    command = 'sh -c \'echo "$0" > %s && cp "$0" %s && grep -qx old %s\' %%s' % (log, copy, target)
    result, failed = run([{'path': str(target), 'content': 'new\n', 'mode': '0644', 'validate': command}])
    assert not failed, result['msg']
    temp = log.read_text().strip()
    assert os.path.dirname(temp) == str(tmp_path)
    assert os.path.basename(temp).startswith('.app.conf.') and temp.endswith('.tmp')
    assert not os.path.exists(temp)
    assert copy.read_text() == 'new\n'
    assert target.read_text() == 'new\n'


def test_a_failed_validate_leaves_the_file_untouched(tmp_path):
    target = tmp_path / 'app.conf'
    target.write_text('old\n')
    target.chmod(0o644)
    inode = os.lstat(str(target)).st_ino
    command = 'sh -c \'echo "bad line 3" >&2; exit 3\' %s'
    result, failed = run([{'path': str(target), 'content': 'new\n', 'mode': '0600', 'validate': command}])
    assert failed
    assert 'validate sh failed with rc 3: bad line 3' in result['msg'] and str(target) in result['msg']
    assert result['changed'] is False and result['files'][0]['changed'] is False
    assert target.read_text() == 'old\n' and mode_of(target) == 0o644
    assert os.lstat(str(target)).st_ino == inode
    assert os.listdir(str(tmp_path)) == ['app.conf']


def test_a_failed_validate_of_a_secret_shows_no_output(tmp_path):
    target = tmp_path / '.env'
    target.write_text('KEEP=1\n')
    # the command prints the secret it was given, and fails
    command = 'sh -c \'cat "$0"; cat "$0" >&2; exit 1\' %s'
    result, failed = run([{'path': str(target), 'secret_content': SECRET + '\n', 'mode': '0600',
                           'validate': command}])
    assert failed
    assert 'validate sh failed with rc 1 (its output is not shown: the content is secret)' in result['msg']
    assert target.read_text() == 'KEEP=1\n'


def test_items_before_a_failed_validate_are_reported_written(tmp_path):
    first, second = tmp_path / 'first', tmp_path / 'second'
    result, failed = run([{'path': str(first), 'content': '1\n', 'mode': '0644'},
                          {'path': str(second), 'content': '2\n', 'mode': '0644', 'validate': 'false %s'}])
    assert failed
    assert result['changed'] is True
    assert [entry['changed'] for entry in result['files']] == [True, False]
    assert first.read_text() == '1\n' and not second.exists()


def test_check_mode_writes_nothing_and_says_what_would_change(tmp_path):
    existing = tmp_path / 'existing.conf'
    existing.write_text('old\n')
    existing.chmod(0o644)
    items = items_for(tmp_path) + [{'path': str(existing), 'content': 'new\n', 'mode': '0644',
                                    'validate': 'false %s'}]
    result, failed = run(items, check=True)
    assert not failed, result['msg']
    assert result['changed'] is True
    assert [entry['changed'] for entry in result['files']] == [True] * 5
    assert result['msg'].startswith('5 of 5 items would change: ')
    assert not (tmp_path / 'opt').exists() and not (tmp_path / 'unit.service').exists()
    assert existing.read_text() == 'old\n'
    assert sorted(os.listdir(str(tmp_path))) == ['existing.conf']
    assert result['diff'][-1]['before'] == 'old\n' and result['diff'][-1]['after'] == 'new\n'


def test_the_diff_of_a_secret_never_holds_it(tmp_path):
    target = tmp_path / 'secrets.json'
    result, failed = run([{'path': str(target), 'secret_content': '{"k": "%s"}\n' % SECRET, 'mode': '0600'}])
    assert not failed
    assert result['diff'][0]['before'] == '' and result['diff'][0]['after'] == '(secret content, changed, not shown)\n'
    target.chmod(0o644)
    result, failed = run([{'path': str(target), 'secret_content': '{"k": "%s"}\n' % OTHER_SECRET, 'mode': '0600'}])
    assert not failed
    assert result['diff'] == [{'before_header': str(target), 'after_header': '%s (mode 0644 -> 0600)' % target,
                               'before': '(secret content, not shown)\n',
                               'after': '(secret content, changed, not shown)\n'}]
    assert target.read_text() == '{"k": "%s"}\n' % OTHER_SECRET
    # ansible-core up to 2.20 echoes the arguments back (masked); 2.21 returns no invocation at all
    if 'invocation' in result:
        masked = result['invocation']['module_args']['files'][0]['secret_content']
        assert masked == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'


def first_item(tmp_path):
    return {'path': str(tmp_path / 'first.conf'), 'content': 'first\n', 'mode': '0644'}


def refused(tmp_path, item, words):
    """The list [a new file, item] is refused naming item, with the first file not written."""
    result, failed = run([first_item(tmp_path), item])
    assert failed
    assert result['msg'].startswith('files[1] (%s): ' % item['path']), result['msg']
    assert words in result['msg'] and result['msg'].endswith('; nothing was changed')
    assert result['changed'] is False and not any(entry['changed'] for entry in result['files'])
    assert not (tmp_path / 'first.conf').exists()
    return result


def test_a_symbolic_link_is_refused_before_anything_is_written(tmp_path):
    real = tmp_path / 'real.conf'
    real.write_text('real\n')
    link = tmp_path / 'link.conf'
    link.symlink_to(real)
    refused(tmp_path, {'path': str(link), 'content': 'x\n', 'mode': '0644'}, 'is a symbolic link')
    assert real.read_text() == 'real\n' and link.is_symlink()
    dangling = tmp_path / 'dangling'
    dangling.symlink_to(tmp_path / 'nowhere')
    refused(tmp_path, {'path': str(dangling), 'state': 'directory', 'mode': '0755'}, 'is a symbolic link')


@pytest.mark.parametrize('there, state, words', [
    ('directory', 'file', 'is there as a directory, not a file'),
    ('file', 'directory', 'is there as a file, not a directory'),
    ('fifo', 'file', 'is there as a special file (neither file nor directory), not a file'),
])
def test_the_wrong_kind_is_refused_before_anything_is_written(tmp_path, there, state, words):
    path = tmp_path / 'thing'
    if there == 'directory':
        path.mkdir()
    elif there == 'file':
        path.write_text('x')
    else:
        os.mkfifo(str(path))
    item = {'path': str(path), 'state': state, 'mode': '0644'}
    if state == 'file':
        item['content'] = 'x\n'
    refused(tmp_path, item, words)


def test_a_missing_directory_is_refused_unless_an_earlier_item_creates_it(tmp_path):
    refused(tmp_path, {'path': str(tmp_path / 'nodir' / 'a.conf'), 'content': 'x\n', 'mode': '0644'},
            'its directory %s does not exist, and no earlier directory item creates it' % (tmp_path / 'nodir'))
    # a directory item after the file does not count
    result, failed = run([{'path': str(tmp_path / 'later' / 'a.conf'), 'content': 'x\n', 'mode': '0644'},
                          {'path': str(tmp_path / 'later'), 'state': 'directory', 'mode': '0755'}])
    assert failed and 'does not exist' in result['msg'] and not (tmp_path / 'later').exists()
    # a parent an earlier directory item creates on its way counts
    result, failed = run([{'path': str(tmp_path / 'a' / 'b' / 'c'), 'state': 'directory', 'mode': '0700'},
                          {'path': str(tmp_path / 'a' / 'b' / 'f.conf'), 'content': 'f\n', 'mode': '0644'}])
    assert not failed, result['msg']
    assert (tmp_path / 'a' / 'b' / 'f.conf').read_text() == 'f\n'


def test_a_file_where_a_directory_must_go_is_refused(tmp_path):
    (tmp_path / 'plain').write_text('x')
    refused(tmp_path, {'path': str(tmp_path / 'plain' / 'sub'), 'state': 'directory', 'mode': '0755'},
            '%s is there and is not a directory' % (tmp_path / 'plain'))


@pytest.mark.parametrize('field, words', [
    ('owner', "owner 'no-such-user-cw' is not a user on this host"),
    ('group', "group 'no-such-user-cw' is not a group on this host"),
])
def test_an_unknown_owner_or_group_is_refused(tmp_path, field, words):
    item = {'path': str(tmp_path / 'x.conf'), 'content': 'x\n', 'mode': '0644', field: 'no-such-user-cw'}
    refused(tmp_path, item, words)
    assert not (tmp_path / 'x.conf').exists()


@pytest.mark.parametrize('change, words', [
    ({'path': 'relative/x.conf'}, 'path must be absolute'),
    ({'secret_content': SECRET}, 'a file needs exactly one of content and secret_content'),
    ({'content': None}, 'a file needs exactly one of content and secret_content'),
    ({'state': 'directory'}, 'a directory takes no content, secret_content nor validate'),
    ({'mode': 420}, "mode must be a quoted string of 3 or 4 octal digits such as '0600', got 420"),
    ({'mode': 'u=rw'}, 'mode must be a quoted string'),
    ({'validate': 'true'}, 'validate must hold %s'),
    ({'validate': 'no-such-validator-cw %s'}, 'validate: the command no-such-validator-cw is not found'),
    ({'path': None}, 'is listed by an earlier item too'),
])
def test_bad_items_are_refused_before_anything_is_written(tmp_path, change, words):
    item = dict({'path': str(tmp_path / 'x.conf'), 'content': 'x\n', 'mode': '0644'}, **change)
    if item['path'] is None:
        item['path'] = first_item(tmp_path)['path']
    refused(tmp_path, item, words)


def test_a_directory_created_as_a_parent_cannot_be_listed_after(tmp_path):
    result, failed = run([{'path': str(tmp_path / 'p' / 'q'), 'state': 'directory', 'mode': '0700'},
                          {'path': str(tmp_path / 'p'), 'state': 'directory', 'mode': '0750'}])
    assert failed and 'list it before that item' in result['msg'] and not (tmp_path / 'p').exists()


def test_a_file_where_an_earlier_item_creates_a_directory_is_refused(tmp_path):
    result, failed = run([{'path': str(tmp_path / 'p' / 'q'), 'state': 'directory', 'mode': '0700'},
                          {'path': str(tmp_path / 'p'), 'content': 'x\n', 'mode': '0644'}])
    assert failed and 'is a directory an earlier item creates as its parent' in result['msg']
    assert not (tmp_path / 'p').exists()


@pytest.mark.promise("files_written_without_showing_secret_content")
def test_through_ansible_playbook_the_secret_is_never_shown(tmp_path):
    target = tmp_path / 'secrets.json'
    target.write_text('{"old": "%s"}\n' % OTHER_SECRET)
    target.chmod(0o644)
    items = [{'path': str(tmp_path / 'dir'), 'state': 'directory', 'mode': '0700'},
             {'path': str(target), 'secret_content': '{"new": "%s"}\n' % SECRET, 'mode': '0600',
              'validate': 'sh -c \'cat "$0"; exit 0\' %s'},
             {'path': str(tmp_path / 'dir' / 'plain.txt'), 'content': 'plain words\n', 'mode': '0644'}]
    playbook = '''
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Write the files
      sinapum.chatwoot.chatwoot_files:
        files: %s
      register: written
    - name: What was written
      ansible.builtin.assert:
        that:
          - written is changed
          - written.files | map(attribute='changed') | list == [true, true, true]
        quiet: true
''' % json.dumps(items)
    rc, output = run_playbook(playbook, 3)
    assert rc == 0, output[-3000:]
    assert 'ok=2' in output and 'changed=1' in output
    for secret in SECRETS:
        assert secret not in output, 'a secret was printed'
    # the diff was shown, with the placeholder in place of the secret
    assert '+(secret content, changed, not shown)' in output and '+plain words' in output
    # -vvv shows the arguments, the secret masked
    assert '"secret_content": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"' in output
    assert target.read_text() == '{"new": "%s"}\n' % SECRET and mode_of(target) == 0o600
