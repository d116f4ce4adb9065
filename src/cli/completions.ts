// Shell completions for bash, zsh and fish, written from the commands' option tables.
import type { Command } from './command.js';
import { HELP_OPTION, type Completion, type OptionSpec } from './options.js';

function optionsOf(cmd: Command): OptionSpec[] {
  return [...cmd.options, HELP_OPTION];
}

function positionalCompletion(cmd: Command): Completion {
  return cmd.positionals?.[0]?.complete ?? 'none';
}

/** Single-quoted for sh-family shells. */
function sq(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export function bashCompletion(commands: readonly Command[]): string {
  const names = commands.map((c) => c.name).join(' ');
  const cases = commands.map((cmd) => {
    const opts = optionsOf(cmd).flatMap((o) => [`--${o.name}`, ...(o.short !== undefined ? [`-${o.short}`] : [])]);
    const valued = optionsOf(cmd).filter((o) => o.value !== undefined);
    const byKind = (kind: Completion) => valued.filter((o) => (o.complete ?? 'file') === kind).flatMap((o) => [`--${o.name}`, ...(o.short !== undefined ? [`-${o.short}`] : [])]);
    const lines = [`    ${cmd.name})`, `      opts=${sq(opts.join(' '))}`];
    const dirs = byKind('dir');
    const files = byKind('file');
    const none = byKind('none');
    lines.push('      case "$prev" in');
    if (dirs.length > 0) lines.push(`        ${dirs.join('|')}) COMPREPLY=($(compgen -d -- "$cur")); return 0 ;;`);
    if (files.length > 0) lines.push(`        ${files.join('|')}) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;`);
    if (none.length > 0) lines.push(`        ${none.join('|')}) COMPREPLY=(); return 0 ;;`);
    lines.push('      esac');
    lines.push(`      positional=${positionalCompletion(cmd)}`);
    lines.push('      ;;');
    return lines.join('\n');
  });
  return `# bash completion for vfio-doctor (generated from its option tables)
_vfio_doctor() {
  local cur prev cmd opts positional i
  COMPREPLY=()
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev=""
  if [ "$COMP_CWORD" -gt 0 ]; then prev="\${COMP_WORDS[COMP_CWORD-1]}"; fi
  cmd=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in -*) ;; *) cmd="\${COMP_WORDS[i]}"; break ;; esac
  done
  if [ -z "$cmd" ]; then
    COMPREPLY=($(compgen -W ${sq(`${names} help --help --version`)} -- "$cur"))
    return 0
  fi
  case "$cmd" in
    help)
      COMPREPLY=($(compgen -W ${sq(names)} -- "$cur"))
      return 0
      ;;
${cases.join('\n')}
    *) return 0 ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  elif [ "$positional" = file ]; then
    COMPREPLY=($(compgen -f -- "$cur"))
  elif [ "$positional" = dir ]; then
    COMPREPLY=($(compgen -d -- "$cur"))
  fi
  return 0
}
complete -o filenames -F _vfio_doctor vfio-doctor
`;
}

/** zsh _arguments spec text: brackets and colons in descriptions must be escaped. */
function zshText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/([[\]:])/g, '\\$1').replace(/'/g, `'\\''`);
}

function zshAction(kind: Completion | undefined): string {
  if (kind === 'dir') return '_files -/';
  if (kind === 'none') return ' ';
  return '_files';
}

export function zshCompletion(commands: readonly Command[]): string {
  const commandList = commands.map((c) => `    '${c.name}:${zshText(c.summary)}'`).join('\n');
  const cases = commands.map((cmd) => {
    const specs = optionsOf(cmd).map((o) => {
      const desc = zshText(o.description);
      const value = o.value !== undefined ? `:${zshText(o.value)}:${zshAction(o.complete)}` : '';
      const repeat = o.multiple ? '*' : '';
      if (o.short !== undefined) return `        '(-${o.short} --${o.name})'{-${o.short},--${o.name}}'[${desc}]${value}'`;
      return `        '${repeat}--${o.name}[${desc}]${value}'`;
    });
    const positional = cmd.positionals !== undefined ? [`        '*:${zshText(cmd.positionals[0]!.name)}:${zshAction(positionalCompletion(cmd))}'`] : [];
    return [`    ${cmd.name})`, '      _arguments -s \\', ...[...specs, ...positional].map((s, i, all) => (i < all.length - 1 ? `${s} \\` : s)), '      ;;'].join('\n');
  });
  return `#compdef vfio-doctor
# zsh completion for vfio-doctor (generated from its option tables)
_vfio_doctor() {
  local -a commands
  commands=(
${commandList}
  )
  if (( CURRENT == 2 )); then
    _describe -t commands 'vfio-doctor command' commands
    _arguments '--help[show the help]' '--version[print the version]'
    return
  fi
  local cmd=\${words[2]}
  shift words
  (( CURRENT-- ))
  case $cmd in
    help)
      _describe -t commands 'vfio-doctor command' commands
      ;;
${cases.join('\n')}
  esac
}
_vfio_doctor "$@"
`;
}

/** fish: a quoted string. */
function fq(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function fishCompletion(commands: readonly Command[]): string {
  const names = commands.map((c) => c.name).join(' ');
  const lines = [
    '# fish completion for vfio-doctor (generated from its option tables)',
    'complete -c vfio-doctor -f',
    `complete -c vfio-doctor -n '__fish_use_subcommand' -l version -d 'print the version'`,
    `complete -c vfio-doctor -n '__fish_use_subcommand' -a help -d 'the options and examples of a command'`,
    `complete -c vfio-doctor -n '__fish_seen_subcommand_from help' -a ${fq(names)}`,
  ];
  for (const cmd of commands) {
    lines.push(`complete -c vfio-doctor -n '__fish_use_subcommand' -a ${cmd.name} -d ${fq(cmd.summary)}`);
    const when = `-n '__fish_seen_subcommand_from ${cmd.name}'`;
    for (const o of optionsOf(cmd)) {
      const short = o.short !== undefined ? ` -s ${o.short}` : '';
      const value = o.value === undefined ? '' : o.complete === 'dir' ? ` -r -a '(__fish_complete_directories)'` : o.complete === 'none' ? ' -x' : ' -r -F';
      lines.push(`complete -c vfio-doctor ${when} -l ${o.name}${short}${value} -d ${fq(o.description)}`);
    }
    if (positionalCompletion(cmd) === 'file') lines.push(`complete -c vfio-doctor ${when} -F`);
    if (positionalCompletion(cmd) === 'dir') lines.push(`complete -c vfio-doctor ${when} -a '(__fish_complete_directories)'`);
  }
  return lines.join('\n') + '\n';
}
