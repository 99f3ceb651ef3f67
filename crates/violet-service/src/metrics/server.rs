//! The HTTP endpoint on `[metrics] listen`: `GET /metrics` (OpenMetrics text), `GET
//! /healthz` (the process answers), `GET /readyz` (200, or 503 with the reason). Nothing
//! else; it never changes anything.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::CONTENT_TYPE;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use super::{Health, Metrics};

const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

/// Bind `listen` (on the current runtime).
///
/// # Errors
/// The address cannot be parsed or bound, named in the message.
pub async fn bind(listen: &str) -> Result<TcpListener, String> {
    let addr: SocketAddr =
        listen.parse().map_err(|e| format!("metrics.listen = {listen:?}: not an address like 127.0.0.1:9187 ({e})"))?;
    TcpListener::bind(addr).await.map_err(|e| format!("metrics.listen = {listen:?}: cannot listen there: {e}"))
}

/// Serve `metrics` and `health` on `listener` until the runtime ends.
pub fn spawn(listener: TcpListener, metrics: Metrics, health: Arc<Health>) {
    tokio::spawn(async move {
        loop {
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of descriptors, say: wait instead of spinning on the error.
                    tracing::warn!(error = %e, "metrics endpoint: cannot accept a connection");
                    tokio::time::sleep(std::time::Duration::from_millis(250)).await;
                    continue;
                }
            };
            let (metrics, health) = (metrics.clone(), Arc::clone(&health));
            tokio::spawn(async move {
                let service = service_fn(move |req| {
                    let answer = answer(&req, &metrics, &health);
                    async move { Ok::<_, Infallible>(answer) }
                });
                let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
            });
        }
    });
}

fn reply(status: StatusCode, content_type: &'static str, body: String) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    r.headers_mut().insert(CONTENT_TYPE, hyper::header::HeaderValue::from_static(content_type));
    r
}

fn answer(req: &Request<Incoming>, metrics: &Metrics, health: &Health) -> Response<Full<Bytes>> {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return reply(StatusCode::METHOD_NOT_ALLOWED, TEXT, "GET only\n".into());
    }
    match req.uri().path() {
        "/metrics" => reply(StatusCode::OK, OPENMETRICS, metrics.encode()),
        "/healthz" => reply(StatusCode::OK, TEXT, "ok\n".into()),
        "/readyz" => match health.readiness() {
            Ok(()) => reply(StatusCode::OK, TEXT, "ready\n".into()),
            Err(why) => reply(StatusCode::SERVICE_UNAVAILABLE, TEXT, format!("not ready: {why}\n")),
        },
        _ => reply(StatusCode::NOT_FOUND, TEXT, "not found: /metrics, /healthz and /readyz are served\n".into()),
    }
}
