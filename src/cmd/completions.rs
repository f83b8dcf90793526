//! `rapport completions SHELL`: prints a completion script for the shell.
//!
//! Commands, verbs and flags come from clap. Partner names are completed
//! after `rapport log` in bash and fish by asking the book itself
//! (`rapport log --list-names`, run in the current folder); for zsh and
//! PowerShell that hook is documented in docs/keeping-in-touch.md.

use std::process::ExitCode;

use clap::CommandFactory;
use clap_complete::Shell;

use super::Cli;

/// Bash: partner slugs as the word after `rapport log`, clap's completion
/// for the rest.
const BASH_NAMES: &str = r#"
_rapport_with_names() {
    if [[ ${COMP_CWORD} -eq 2 && ${COMP_WORDS[1]} == log && ${COMP_WORDS[2]} != -* ]]; then
        local IFS=$'\n'
        COMPREPLY=( $(compgen -W "$(rapport log --list-names 2>/dev/null)" -- "${COMP_WORDS[2]}") )
        return 0
    fi
    _rapport "$@"
}
complete -F _rapport_with_names -o bashdefault -o default rapport
"#;

/// Fish: partner slugs as the word after `rapport log`.
const FISH_NAMES: &str = r#"
complete -c rapport -n '__fish_seen_subcommand_from log; and test (count (commandline -opc)) -eq 2' -f -a '(rapport log --list-names 2>/dev/null)'
"#;

pub fn run(shell: Shell) -> ExitCode {
    // Into memory first: a closed pipe is ignored, never a panic.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "rapport", &mut script);
    match shell {
        Shell::Bash => script.extend_from_slice(BASH_NAMES.as_bytes()),
        Shell::Fish => script.extend_from_slice(FISH_NAMES.as_bytes()),
        _ => {}
    }
    let _ = std::io::Write::write_all(&mut std::io::stdout(), &script);
    ExitCode::SUCCESS
}
