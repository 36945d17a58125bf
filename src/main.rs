//! The `baogao` command line: `extract`, `inspect`, `schema`.

use baogao::cli;

fn main() {
    std::process::exit(cli::run(std::env::args_os().collect()));
}
