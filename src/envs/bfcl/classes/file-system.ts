import { pyEquals } from '../python/equals.js';
import { compareCodePoints, formatFixed, isNumber, numberValue } from '../python/numbers.js';
import { pyRepr, pyStr } from '../python/repr.js';
import { codePointLength, splitlines, splitWhitespace } from '../python/strings.js';
import { deepCopy, dict, isDict, PyException, pyTypeName, truthy, type PyObject, type PyValue } from '../python/values.js';
import { asStr, contains, defineBackend, failure, getItem, type LoadContext } from './base.js';

/** GorillaFileSystem (BFCL `gorilla_file_system.py`): an in-memory tree with a cwd and shell-like commands. */

export class FsFile implements PyObject {
  readonly pyType = 'File';
  constructor(
    public name: string,
    public content: PyValue,
  ) {}
  pyEquals(other: PyValue): boolean {
    return other instanceof FsFile && other.name === this.name && pyEquals(this.content, other.content);
  }
  pyRepr(): string {
    return `<<File: ${this.name}, Content: ${pyStr(this.content)}>>`;
  }
}

export class FsDirectory implements PyObject {
  readonly pyType = 'Directory';
  contents = new Map<string, FsFile | FsDirectory>();
  constructor(
    public name: string,
    public parent: FsDirectory | null,
  ) {}

  /** Equal names and equal contents, recursively; parents are not compared. */
  pyEquals(other: PyValue): boolean {
    if (!(other instanceof FsDirectory) || other.name !== this.name || other.contents.size !== this.contents.size) return false;
    for (const [name, item] of this.contents) {
      const theirs = other.contents.get(name);
      if (!theirs || !item.pyEquals(theirs)) return false;
    }
    return true;
  }

  pyRepr(): string {
    const items = [...this.contents].map(([name, item]) => `${pyRepr(name)}: ${item.pyRepr()}`);
    return `<Directory: ${this.name}, Parent: ${this.parent ? this.parent.name : 'None'}, Contents: {${items.join(', ')}}>`;
  }

  addFile(name: string, content: PyValue = ''): FsFile {
    if (this.contents.has(name)) throw new PyException('ValueError', `File '${name}' already exists in directory '${this.name}'.`);
    const file = new FsFile(name, content);
    this.contents.set(name, file);
    return file;
  }

  addDirectory(name: string): FsDirectory {
    if (this.contents.has(name)) throw new PyException('ValueError', `Directory '${name}' already exists in directory '${this.name}'.`);
    const directory = new FsDirectory(name, this);
    this.contents.set(name, directory);
    return directory;
  }

  /** `_get_item`: `.` is the directory itself. */
  item(name: string): FsFile | FsDirectory | undefined {
    return name === '.' ? this : this.contents.get(name);
  }
}

export class GorillaFileSystem {
  root!: FsDirectory;
  longContext = false;
  currentDir!: FsDirectory;
}

const INVALID_NAME_CHARS = '|/\\?%*:"><';

function validName(name: PyValue): boolean {
  for (const char of INVALID_NAME_CHARS) if (contains(name, char)) return false;
  return true;
}

function loadDirectory(fs: GorillaFileSystem, contents: PyValue, directory: FsDirectory, context: LoadContext): FsDirectory {
  const filler = context.longContext;
  let bottommost = true;
  if (isDict(contents)) {
    for (const [name, data] of contents) {
      const key = String(name);
      const type = getItem(data, 'type');
      if (type === 'directory') {
        bottommost = false;
        directory.contents.set(key, loadDirectory(fs, getItem(data, 'contents'), new FsDirectory(key, directory), context));
      } else if (type === 'file') {
        let content = getItem(data, 'content');
        if (fs.longContext && filler && !filler.filesTailUsed.includes(key)) content = asStr(content, '__add__') + filler.fileContentExtension;
        directory.contents.set(key, new FsFile(key, deepCopy(content)));
      }
    }
  }
  if (bottommost && fs.longContext && filler) for (const name of filler.populateFileExtension) directory.addFile(name);
  return directory;
}

/** `_navigate_to_directory`: the directory at `path`, or undefined. `..` is not supported. */
function navigate(fs: GorillaFileSystem, path: string): FsDirectory | undefined {
  if (path === '.' || path === '') return fs.currentDir;
  if (path === '/') return fs.root;
  let current: FsDirectory = path.startsWith('/') ? fs.root : fs.currentDir;
  for (const part of path.replace(/^\/+|\/+$/g, '').split('/')) {
    const next = current.item(part);
    if (!(next instanceof FsDirectory)) return undefined;
    current = next;
  }
  return current;
}

function fileIn(fs: GorillaFileSystem, name: PyValue): FsFile | undefined {
  const item = typeof name === 'string' ? fs.currentDir.contents.get(name) : undefined;
  return item instanceof FsFile ? item : undefined;
}

function textOf(file: FsFile): string {
  return asStr(file.content, 'splitlines');
}

function totalBytes(directory: FsDirectory): number {
  let size = 0;
  for (const item of directory.contents.values()) {
    if (item instanceof FsDirectory) size += totalBytes(item);
    else size += Buffer.byteLength(asStr(item.content, 'encode'), 'utf8');
  }
  return size;
}

function humanSize(bytes: number): string {
  let size = bytes;
  for (const unit of ['B', 'KB', 'MB', 'GB', 'TB']) {
    if (size < 1024) return `${formatFixed(size, 2)} ${unit}`;
    size /= 1024;
  }
  return `${formatFixed(size, 2)} PB`;
}

function hasSlash(value: PyValue): boolean {
  return contains(value, '/');
}

export const gorillaFileSystem = defineBackend<GorillaFileSystem>({
  name: 'GorillaFileSystem',
  docFile: 'gorilla_file_system',
  create(scenario, context) {
    const fs = new GorillaFileSystem();
    fs.longContext = context.longContext !== undefined;
    fs.root = new FsDirectory('/', null);
    const root = scenario.get('root');
    if (isDict(root) && root.size > 0) {
      const [rootName, rootData] = root.entries().next().value as [string | number, PyValue];
      fs.root = loadDirectory(fs, getItem(rootData, 'contents'), new FsDirectory(String(rootName), null), context);
    }
    fs.currentDir = fs.root;
    return fs;
  },
  publicState: (fs) => [
    ['long_context', fs.longContext],
    ['root', fs.root],
  ],
  methods: {
    pwd: {
      params: [],
      run(fs) {
        // the root's own name is part of the path (BFCL compares a name with a Directory)
        const names: string[] = [];
        for (let dir: FsDirectory | null = fs.currentDir; dir; dir = dir.parent) names.push(dir.name);
        return dict({ current_working_directory: `/${names.reverse().join('/')}` });
      },
    },
    ls: {
      params: [['a', false]],
      run(fs, { a }) {
        let names = [...fs.currentDir.contents.keys()];
        if (!truthy(a!)) names = names.filter((name) => !name.startsWith('.'));
        return dict({ current_directory_content: names });
      },
    },
    cd: {
      params: ['folder'],
      run(fs, args) {
        let folder = asStr(args.folder!, 'rstrip').replace(/\/+$/, '');
        if (folder === '') folder = '/';
        if (folder !== '.' && folder !== '..' && folder !== '/' && folder.includes('/')) {
          return failure(`cd: ${folder}: Unsupported path. Only one folder level at a time is supported.`);
        }
        if (folder === '..') {
          if (!fs.currentDir.parent) return failure('Current directory is already the root. Cannot go back.');
          fs.currentDir = fs.currentDir.parent;
          return new Map();
        }
        const target = navigate(fs, folder);
        if (!target) return failure(`cd: '${folder}': No such file or directory`);
        fs.currentDir = target;
        return dict({ current_working_directory: target.name });
      },
    },
    mkdir: {
      params: ['dir_name'],
      run(fs, { dir_name }) {
        if (!validName(dir_name!)) return failure(`mkdir: cannot create directory '${pyStr(dir_name!)}': Invalid character`);
        const name = asStr(dir_name!, '__hash__');
        if (fs.currentDir.contents.has(name)) return failure(`mkdir: cannot create directory '${name}': File exists`);
        fs.currentDir.addDirectory(name);
        return null;
      },
    },
    touch: {
      params: ['file_name'],
      run(fs, { file_name }) {
        if (!validName(file_name!)) return failure(`touch: cannot touch '${pyStr(file_name!)}': Invalid character`);
        const name = asStr(file_name!, '__hash__');
        if (fs.currentDir.contents.has(name)) return failure(`touch: cannot touch '${name}': File exists`);
        fs.currentDir.addFile(name);
        return null;
      },
    },
    echo: {
      params: ['content', ['file_name', null]],
      run(fs, { content, file_name }) {
        if (file_name === null) return dict({ terminal_output: content! });
        if (!validName(file_name!)) return failure(`echo: cannot write to '${pyStr(file_name!)}': Invalid character`);
        if (!truthy(file_name!)) return dict({ terminal_output: content! });
        const item = typeof file_name === 'string' ? fs.currentDir.contents.get(file_name) : undefined;
        if (!item) return failure(`echo: cannot write to '${pyStr(file_name!)}': No such file`);
        if (item instanceof FsDirectory) throw new PyException('AttributeError', "'Directory' object has no attribute '_write'");
        item.content = content!;
        return null;
      },
    },
    cat: {
      params: ['file_name'],
      run(fs, { file_name }) {
        if (!validName(file_name!)) return failure(`cat: '${pyStr(file_name!)}': Invalid character`);
        const item = fs.currentDir.contents.get(file_name as string);
        if (!item) return failure(`cat: '${pyStr(file_name!)}': No such file or directory`);
        if (item instanceof FsDirectory) return failure(`cat: '${pyStr(file_name!)}': Is a directory`);
        return dict({ file_content: item.content });
      },
    },
    find: {
      params: [['path', '.'], ['name', null]],
      run(fs, args) {
        const path = asStr(args.path!, 'rstrip');
        const name = args.name!;
        const target = navigate(fs, path);
        if (!target) return failure(`find: '${path}': No such file or directory`);
        const matches: string[] = [];
        const search = (directory: FsDirectory, base: string): void => {
          for (const [itemName, item] of directory.contents) {
            const itemPath = `${base}/${itemName}`;
            if (name === null || contains(itemName, name)) matches.push(itemPath);
            if (item instanceof FsDirectory) search(item, itemPath);
          }
        };
        search(target, path.replace(/\/+$/, ''));
        return dict({ matches });
      },
    },
    wc: {
      params: ['file_name', ['mode', 'l']],
      run(fs, { file_name, mode }) {
        if (mode !== 'l' && mode !== 'w' && mode !== 'c') return failure(`wc: invalid mode '${pyStr(mode!)}'`);
        const file = fileIn(fs, file_name!);
        if (!file) return failure(`wc: ${pyStr(file_name!)}: No such file or directory`);
        const text = textOf(file);
        if (mode === 'l') return dict({ count: splitlines(text).length, type: 'lines' });
        if (mode === 'w') return dict({ count: splitWhitespace(text).length, type: 'words' });
        return dict({ count: codePointLength(text), type: 'characters' });
      },
    },
    sort: {
      params: ['file_name'],
      run(fs, { file_name }) {
        const file = fileIn(fs, file_name!);
        if (!file) return failure(`sort: ${pyStr(file_name!)}: No such file or directory`);
        return dict({ sorted_content: splitlines(textOf(file)).sort(compareCodePoints).join('\n') });
      },
    },
    grep: {
      params: ['file_name', 'pattern'],
      run(fs, { file_name, pattern }) {
        const file = fileIn(fs, file_name!);
        if (!file) return failure(`grep: ${pyStr(file_name!)}: No such file or directory`);
        return dict({ matching_lines: splitlines(textOf(file)).filter((line) => contains(line, pattern!)) });
      },
    },
    du: {
      params: [['human_readable', false]],
      run(fs, { human_readable }) {
        const bytes = totalBytes(fs.currentDir);
        return dict({ disk_usage: truthy(human_readable!) ? humanSize(bytes) : `${bytes} bytes` });
      },
    },
    tail: {
      params: ['file_name', ['lines', 10]],
      run(fs, { file_name, lines }) {
        const file = fileIn(fs, file_name!);
        if (!file) return failure(`tail: ${pyStr(file_name!)}: No such file or directory`);
        const all = splitlines(textOf(file));
        if (!isNumber(lines!)) throw new PyException('TypeError', `'>' not supported between instances of '${pyTypeName(lines!)}' and 'int'`);
        let count = numberValue(lines);
        if (count > all.length) count = all.length;
        else if (!Number.isInteger(count) || typeof lines === 'object') throw new PyException('TypeError', 'slice indices must be integers or None or have an __index__ method');
        // Python's lines[-n:]: 0 keeps everything, a negative n drops the first |n| lines
        const kept = count === 0 ? all : count > 0 ? all.slice(all.length - count) : all.slice(-count);
        return dict({ last_lines: kept.join('\n') });
      },
    },
    diff: {
      params: ['file_name1', 'file_name2'],
      run(fs, { file_name1, file_name2 }) {
        const first = fileIn(fs, file_name1!);
        const second = fileIn(fs, file_name2!);
        if (!first || !second) return failure(`diff: ${pyStr(file_name1!)} or ${pyStr(file_name2!)}: No such file or directory`);
        const a = splitlines(textOf(first));
        const b = splitlines(textOf(second));
        const lines: string[] = [];
        for (let i = 0; i < Math.min(a.length, b.length); i += 1) if (a[i] !== b[i]) lines.push(`- ${a[i]}\n+ ${b[i]}`);
        return dict({ diff_lines: lines.join('\n') });
      },
    },
    mv: {
      params: ['source', 'destination'],
      run(fs, args) {
        return moveOrCopy(fs, args.source!, args.destination!, 'mv');
      },
    },
    cp: {
      params: ['source', 'destination'],
      run(fs, args) {
        return moveOrCopy(fs, args.source!, args.destination!, 'cp');
      },
    },
    rm: {
      params: ['file_name'],
      run(fs, { file_name }) {
        const name = file_name as string;
        if (!fs.currentDir.contents.has(name)) return failure(`rm: cannot remove '${pyStr(file_name!)}': No such file or directory`);
        fs.currentDir.contents.delete(name);
        return dict({ result: `'${name}' removed` });
      },
    },
    rmdir: {
      params: ['dir_name'],
      run(fs, { dir_name }) {
        const name = dir_name as string;
        const item = fs.currentDir.contents.get(name);
        const prefix = `rmdir: cannot remove '${pyStr(dir_name!)}'`;
        if (!item) return failure(`${prefix}: No such file or directory`);
        if (!(item instanceof FsDirectory)) return failure(`${prefix}: Not a directory`);
        if (item.contents.size > 0) return failure(`${prefix}: Directory not empty`);
        fs.currentDir.contents.delete(name);
        return dict({ result: `'${name}' removed` });
      },
    },
  },
});

/** mv and cp share their checks; mv removes the source, cp shares a dir's children (a shallow copy). */
function moveOrCopy(fs: GorillaFileSystem, sourceValue: PyValue, destinationValue: PyValue, command: 'mv' | 'cp'): PyValue {
  const verb = command === 'mv' ? 'move' : 'copy';
  const past = command === 'mv' ? 'moved' : 'copied';
  const cwd = fs.currentDir;
  const item = typeof sourceValue === 'string' ? cwd.contents.get(sourceValue) : undefined;
  if (!item) return failure(`${command}: cannot ${verb} '${pyStr(sourceValue)}': No such file or directory`);
  if (hasSlash(destinationValue)) return failure(`${command}: path not allowed in destination. Provide only a file or directory name.`);
  const source = sourceValue as string;
  const destination = asStr(destinationValue, '__hash__');
  const target = cwd.contents.get(destination);
  if (target instanceof FsDirectory) {
    if (command === 'mv') {
      if (target.contents.has(source)) return failure(`mv: cannot move '${source}' to '${destination}/${source}': File exists`);
      cwd.contents.delete(source);
    }
    // cp's "already exists" guard upstream is unreachable, so addFile/addDirectory raise instead
    if (item instanceof FsFile) target.addFile(source, item.content);
    else target.addDirectory(source).contents = command === 'mv' ? item.contents : new Map(item.contents);
    return dict({ result: `'${source}' ${past} to '${destination}/${source}'` });
  }
  if (target) return failure(`${command}: cannot ${verb} '${source}' to '${destination}': Not a directory`);
  if (command === 'mv') {
    cwd.contents.delete(source);
    item.name = destination;
    cwd.contents.set(destination, item);
  } else if (item instanceof FsFile) cwd.addFile(destination, item.content);
  else cwd.addDirectory(destination).contents = new Map(item.contents);
  return dict({ result: `'${source}' ${past} to '${destination}'` });
}
