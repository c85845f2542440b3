//! The `tidemark` binary: all behaviour lives in the library; this only hands over to the CLI.

fn main() -> std::process::ExitCode {
    tidemark::cli::main()
}
