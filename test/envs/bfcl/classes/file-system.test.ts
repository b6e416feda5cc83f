import { describe, expect, it } from 'vitest';
import { backend } from '../helpers.js';

const TREE = JSON.stringify({
  root: {
    home: {
      type: 'directory',
      contents: {
        docs: { type: 'directory', contents: { 'a.txt': { type: 'file', content: 'beta\nalpha\ngamma alpha' }, 'b.txt': { type: 'file', content: 'beta\nALPHA' }, sub: { type: 'directory', contents: {} } } },
        '.hidden': { type: 'file', content: 'x' },
        'notes.md': { type: 'file', content: 'one two  three' },
      },
    },
  },
});

const fs = () => backend('GorillaFileSystem', TREE);

describe('GorillaFileSystem', () => {
  it('pwd includes the root name; ls hides dot files unless a=True', () => {
    const f = fs();
    expect(f.run('pwd()')).toBe('{"current_working_directory": "/home"}');
    expect(f.run('ls()')).toBe('{"current_directory_content": ["docs", "notes.md"]}');
    expect(f.run('ls(a=True)')).toBe('{"current_directory_content": ["docs", ".hidden", "notes.md"]}');
    f.run("cd(folder='docs')");
    expect(f.run('pwd()')).toBe('{"current_working_directory": "/home/docs"}');
  });

  it('cd: one level, .., /, and its errors', () => {
    const f = fs();
    expect(f.run("cd(folder='docs/sub')")).toBe('{"error": "cd: docs/sub: Unsupported path. Only one folder level at a time is supported."}');
    expect(f.run("cd(folder='..')")).toBe('{"error": "Current directory is already the root. Cannot go back."}');
    expect(f.run("cd(folder='nope')")).toBe(`{"error": "cd: 'nope': No such file or directory"}`);
    expect(f.run("cd(folder='docs/')")).toBe('{"current_working_directory": "docs"}');
    expect(f.run("cd(folder='..')")).toBe('{}');
    f.run("cd(folder='docs')");
    expect(f.run("cd(folder='/')")).toBe('{"current_working_directory": "home"}');
    expect(f.run("cd(folder='a.txt')")).toBe(`{"error": "cd: 'a.txt': No such file or directory"}`);
  });

  it('mkdir and touch create entries and refuse bad or taken names', () => {
    const f = fs();
    expect(f.run("mkdir(dir_name='new')")).toBe('None');
    expect(f.run("mkdir(dir_name='new')")).toBe(`{"error": "mkdir: cannot create directory 'new': File exists"}`);
    expect(f.run("mkdir(dir_name='a/b')")).toBe(`{"error": "mkdir: cannot create directory 'a/b': Invalid character"}`);
    expect(f.run("touch(file_name='t.txt')")).toBe('None');
    expect(f.run("touch(file_name='t.txt')")).toBe(`{"error": "touch: cannot touch 't.txt': File exists"}`);
    expect(f.run("touch(file_name='x?')")).toBe(`{"error": "touch: cannot touch 'x?': Invalid character"}`);
    expect(f.run('ls()')).toBe('{"current_directory_content": ["docs", "notes.md", "new", "t.txt"]}');
  });

  it('echo prints, overwrites an existing file, and never creates one', () => {
    const f = fs();
    expect(f.run("echo(content='hi')")).toBe('{"terminal_output": "hi"}');
    expect(f.run("echo(content='hi', file_name='')")).toBe('{"terminal_output": "hi"}');
    expect(f.run("echo(content='new text', file_name='notes.md')")).toBe('None');
    expect(f.run("cat(file_name='notes.md')")).toBe('{"file_content": "new text"}');
    expect(f.run("echo(content='x', file_name='missing.txt')")).toBe(`{"error": "echo: cannot write to 'missing.txt': No such file"}`);
    expect(f.run("echo(content='x', file_name='a:b')")).toBe(`{"error": "echo: cannot write to 'a:b': Invalid character"}`);
  });

  it('cat errors', () => {
    const f = fs();
    expect(f.run("cat(file_name='docs')")).toBe(`{"error": "cat: 'docs': Is a directory"}`);
    expect(f.run("cat(file_name='nope')")).toBe(`{"error": "cat: 'nope': No such file or directory"}`);
    expect(f.run("cat(file_name='a|b')")).toBe(`{"error": "cat: 'a|b': Invalid character"}`);
  });

  it('find searches pre-order with paths relative to the given path', () => {
    const f = fs();
    expect(f.run("find(path='.', name='a')")).toBe('{"matches": ["./docs/a.txt"]}');
    expect(f.run('find()')).toBe('{"matches": ["./docs", "./docs/a.txt", "./docs/b.txt", "./docs/sub", "./.hidden", "./notes.md"]}');
    expect(f.run("find(path='docs/', name='b')")).toBe('{"matches": ["docs/b.txt", "docs/sub"]}');
    expect(f.run("find(path='nowhere')")).toBe(`{"error": "find: 'nowhere': No such file or directory"}`);
  });

  it('wc, sort, grep, tail, diff read files of the cwd', () => {
    const f = fs();
    f.run("cd(folder='docs')");
    expect(f.run("wc(file_name='a.txt')")).toBe('{"count": 3, "type": "lines"}');
    expect(f.run("wc(file_name='a.txt', mode='w')")).toBe('{"count": 4, "type": "words"}');
    expect(f.run("wc(file_name='a.txt', mode='c')")).toBe('{"count": 22, "type": "characters"}');
    expect(f.run("wc(file_name='a.txt', mode='x')")).toBe(`{"error": "wc: invalid mode 'x'"}`);
    expect(f.run("wc(file_name='sub')")).toBe('{"error": "wc: sub: No such file or directory"}');
    expect(f.run("sort('a.txt')")).toBe('{"sorted_content": "alpha\\nbeta\\ngamma alpha"}');
    expect(f.run("sort(file_name='zz')")).toBe('{"error": "sort: zz: No such file or directory"}');
    expect(f.run("grep(file_name='a.txt', pattern='alpha')")).toBe('{"matching_lines": ["alpha", "gamma alpha"]}');
    expect(f.run("grep(file_name='zz', pattern='a')")).toBe('{"error": "grep: zz: No such file or directory"}');
    expect(f.run("tail(file_name='a.txt', lines=2)")).toBe('{"last_lines": "alpha\\ngamma alpha"}');
    expect(f.run("tail(file_name='a.txt', lines=0)")).toBe('{"last_lines": "beta\\nalpha\\ngamma alpha"}');
    expect(f.run("tail(file_name='a.txt', lines=-1)")).toBe('{"last_lines": "alpha\\ngamma alpha"}');
    expect(f.run("tail(file_name='zz')")).toBe('{"error": "tail: zz: No such file or directory"}');
    expect(f.run("diff(file_name1='a.txt', file_name2='b.txt')")).toBe('{"diff_lines": "- alpha\\n+ ALPHA"}');
    expect(f.run("diff(file_name1='a.txt', file_name2='zz')")).toBe('{"error": "diff: a.txt or zz: No such file or directory"}');
  });

  it('du sums UTF-8 bytes under the cwd, human readable as {:.2f}', () => {
    const f = backend('GorillaFileSystem', JSON.stringify({ root: { r: { type: 'directory', contents: { big: { type: 'file', content: 'x'.repeat(300) + 'é'.repeat(8) } } } } }));
    expect(f.run('du()')).toBe('{"disk_usage": "316 bytes"}');
    expect(f.run('du(human_readable=True)')).toBe('{"disk_usage": "316.00 B"}');
    const kb = backend('GorillaFileSystem', JSON.stringify({ root: { r: { type: 'directory', contents: { big: { type: 'file', content: 'x'.repeat(1536) } } } } }));
    expect(kb.run('du(human_readable=True)')).toBe('{"disk_usage": "1.50 KB"}');
  });

  it('mv moves into a directory or renames, with its errors', () => {
    const f = fs();
    expect(f.run("mv(source='notes.md', destination='docs')")).toBe(`{"result": "'notes.md' moved to 'docs/notes.md'"}`);
    expect(f.run("mv(source='notes.md', destination='docs')")).toBe(`{"error": "mv: cannot move 'notes.md': No such file or directory"}`);
    expect(f.run("mv(source='docs', destination='x/y')")).toBe('{"error": "mv: path not allowed in destination. Provide only a file or directory name."}');
    expect(f.run("mv(source='.hidden', destination='shown')")).toBe(`{"result": "'.hidden' moved to 'shown'"}`);
    expect(f.run('ls()')).toBe('{"current_directory_content": ["docs", "shown"]}');
    f.run("touch(file_name='notes.md')");
    expect(f.run("mv(source='notes.md', destination='shown')")).toBe(`{"error": "mv: cannot move 'notes.md' to 'shown': Not a directory"}`);
    f.run("cd(folder='docs')");
    f.run("touch(file_name='dup')");
    f.run("cd(folder='..')");
    f.run("touch(file_name='dup')");
    expect(f.run("mv(source='dup', destination='docs')")).toBe(`{"error": "mv: cannot move 'dup' to 'docs/dup': File exists"}`);
  });

  it('cp copies; copying onto an existing name in a directory raises as upstream', () => {
    const f = fs();
    expect(f.run("cp(source='notes.md', destination='docs')")).toBe(`{"result": "'notes.md' copied to 'docs/notes.md'"}`);
    expect(f.run("cp(source='notes.md', destination='docs')")).toBe("Error during execution: File 'notes.md' already exists in directory 'docs'.");
    expect(f.run("cp(source='notes.md', destination='copy.md')")).toBe(`{"result": "'notes.md' copied to 'copy.md'"}`);
    expect(f.run("cp(source='gone', destination='x')")).toBe(`{"error": "cp: cannot copy 'gone': No such file or directory"}`);
    expect(f.run("cp(source='notes.md', destination='copy.md')")).toBe(`{"error": "cp: cannot copy 'notes.md' to 'copy.md': Not a directory"}`);
    expect(f.state('root')).toContain("'copy.md': <<File: copy.md, Content: one two  three>>");
  });

  it('rm removes files and whole directories; rmdir only empty ones', () => {
    const f = fs();
    expect(f.run("rmdir(dir_name='docs')")).toBe(`{"error": "rmdir: cannot remove 'docs': Directory not empty"}`);
    expect(f.run("rmdir(dir_name='notes.md')")).toBe(`{"error": "rmdir: cannot remove 'notes.md': Not a directory"}`);
    expect(f.run("rmdir(dir_name='zz')")).toBe(`{"error": "rmdir: cannot remove 'zz': No such file or directory"}`);
    expect(f.run("rm(file_name='docs')")).toBe(`{"result": "'docs' removed"}`);
    expect(f.run("rm(file_name='docs')")).toBe(`{"error": "rm: cannot remove 'docs': No such file or directory"}`);
    f.run("mkdir(dir_name='empty')");
    expect(f.run("rmdir(dir_name='empty')")).toBe(`{"result": "'empty' removed"}`);
  });

  it('an empty scenario gives an empty root named /', () => {
    const f = backend('GorillaFileSystem');
    expect(f.run('pwd()')).toBe('{"current_working_directory": "//"}');
    expect(f.run('ls()')).toBe('{"current_directory_content": []}');
  });
});
