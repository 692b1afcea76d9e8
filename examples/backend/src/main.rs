//! The reference backend's server: `loyalty-backend [--db PATH] [--program PATH] [--listen ADDR] [--durable power]`.

use loyalty_backend::store::{Durability, Store};
use std::sync::Arc;

fn main() {
    if let Err(e) = run() {
        eprintln!("loyalty-backend: {e}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let mut db = "loyalty.db".to_string();
    let mut program = concat!(env!("CARGO_MANIFEST_DIR"), "/../programs/retail.json").to_string();
    let mut listen = "127.0.0.1:8080".to_string();
    let mut durability = Durability::Process;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--db" => db = value()?,
            "--program" => program = value()?,
            "--listen" => listen = value()?,
            "--durable" => {
                durability = match value()?.as_str() {
                    "process" => Durability::Process,
                    "power" => Durability::Power,
                    other => return Err(format!("--durable: {other:?} is not process or power")),
                }
            }
            "--help" | "-h" => {
                println!("loyalty-backend [--db loyalty.db] [--program examples/programs/retail.json] [--listen 127.0.0.1:8080] [--durable process|power]");
                return Ok(());
            }
            other => return Err(format!("unknown argument {other:?} (see --help)")),
        }
    }
    let program_json = std::fs::read_to_string(&program).map_err(|e| format!("--program {program}: {e}"))?;
    let store = Store::open(std::path::Path::new(&db), &program_json, durability).map_err(|e| format!("{e:?}"))?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&listen).await.map_err(|e| format!("--listen {listen}: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        // The harness waits for this line to know the port (with --listen 127.0.0.1:0).
        println!("listening on {addr}");
        axum::serve(listener, loyalty_backend::router(Arc::new(store))).await.map_err(|e| e.to_string())
    })
}
