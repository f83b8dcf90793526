//! The examples and notes each subcommand's `--help` ends with.

pub const BUILD: &str = "\
Examples:
  rapport build
  rapport build sample-data
  rapport build my-book -o /srv/private/partners --as-of 2026-11-01 --drafts
  rapport passphrase > ~/.rapport-password && chmod 600 ~/.rapport-password
  rapport build my-book --encrypt --password-file ~/.rapport-password
  rapport build my-book --encrypt --rekey --password-file ~/.rapport-password

Nothing is written when any note, setting or template has a problem: the
previous site stays as it was. Only files whose content changed are rewritten;
an unchanged book writes nothing. A folder rapport did not write is refused
unless --force is given.";

pub const CHECK: &str = "\
Examples:
  rapport check
  rapport check my-book 2> problems.txt

Ends with a summary line such as `14 partners, 73 referrals, 0 problems`;
exits 1 when there is any problem.";

pub const WATCH: &str = "\
Examples:
  rapport watch
  rapport watch my-book -o /tmp/preview

Prints one line per rebuild. A rebuild with problems prints them as `check`
does and keeps the last good site; the next good save recovers. Ctrl-C stops.";

pub const SERVE: &str = "\
Examples:
  rapport serve
  rapport serve my-book --port 8080 --open

Answers only this machine's own addresses. The reload script is added only to
served pages, never to the files written.";

pub const NEW: &str = "\
Examples:
  rapport new \"Jane Doe\"            writes partners/jane-doe.md
  rapport new \"Jane Doe\" my-book --firm \"Doe & Associates\" --profession CPA
  rapport new \"Sam Lee\" --role coi --email sam@example.com
  rapport new \"Jane Doe\" --explained    every key present and explained

The note is short: name, firm, profession, role, since (today) and email,
with comments saying where the rest goes. Its body is left empty; write
your own notes below the closing `---`, they are shown on the partner's
page. Refuses to overwrite: an existing note with the same slug is left
alone.";

pub const INIT: &str = "\
Examples:
  rapport init my-book
  cd my-book && rapport build

Refuses a folder that is not empty.";

pub const COMPLETIONS: &str = "\
Examples:
  rapport completions bash > ~/.local/share/bash-completion/completions/rapport
  rapport completions zsh > ~/.zfunc/_rapport
  rapport completions fish > ~/.config/fish/completions/rapport.fish
  rapport completions powershell >> $PROFILE";

pub const PASSPHRASE: &str = "\
Examples:
  rapport passphrase
  rapport passphrase > ~/.rapport-password && chmod 600 ~/.rapport-password

Six words drawn at random from the EFF large wordlist (7,776 words): about
77 bits, out of reach of offline guessing. An encrypted build refuses a
password weaker than about 60 bits. The wordlist is the Electronic Frontier
Foundation's, under CC BY 3.0 US.";
