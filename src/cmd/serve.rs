//! `rapport serve`: watch, and serve the site with live reload. The
//! server and the loop are the library's (`rapport::serve`,
//! `rapport::watch`); this file says what they do, opens the browser, and
//! gives the exit code.

use std::process::ExitCode;

use rapport::say;
use rapport::serve::{self, ServeOptions};
use rapport::watch::Event;

use super::{watch, ServeArgs};

pub fn run(args: &ServeArgs) -> ExitCode {
    let options = ServeOptions {
        port: args.port,
        interface: args.interface,
    };
    let server = match serve::Server::start(&options) {
        Ok(s) => s,
        Err(e) => {
            say!("error: {e}");
            return ExitCode::from(1);
        }
    };
    watch::catch_interrupt();
    let url = server.url().to_string();
    let doing = format!("serving {url}, watching");
    let mut announced = false;
    let result = rapport::watch::run(&args.build.options(), |event| {
        server.hear(&event);
        watch::show(&event, &doing);
        if matches!(event, Event::Rebuilt { .. }) && !announced {
            announced = true;
            if args.open {
                open_browser(&url);
            }
        }
    });
    server.stop();
    watch::exit_code(result)
}

fn open_browser(url: &str) {
    if let Err(e) = opener::open_browser(url) {
        say!("note: could not open a browser ({e}); open {url} yourself");
    }
}
