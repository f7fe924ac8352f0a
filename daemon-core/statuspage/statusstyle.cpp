#include "daemon-core/statuspage/statusstyle.h"

#include <QCryptographicHash>

namespace prophasis {

namespace {

// Mobile first: one column of full-width rows, names that wrap anywhere rather than widen the
// page, two columns from 48rem. Every state has its colour (--c) and its words in the badge.
// No style attributes anywhere (the CSP forbids them): the charts use classes too.
constexpr char StyleSheet[] = R"css(
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#eef0f3;color:#1b1f27}
a{color:inherit}
header{background:#1b1f27;color:#fff;padding:.5rem .75rem;display:flex;flex-wrap:wrap;align-items:center;gap:.5rem}
header .brand{font-weight:700;text-decoration:none;margin-right:auto}
header .button{font-size:.85rem;color:#fff;text-decoration:none;border:1px solid #8a93a6;border-radius:4px;padding:.2rem .6rem}
main{max-width:64rem;margin:0 auto;padding:.75rem}
h1{font-size:1.3rem;margin:.25rem 0 .5rem;overflow-wrap:anywhere}
h2{font-size:1.05rem;margin:1rem 0 .4rem}
h3{font-size:.95rem;margin:.75rem 0 .3rem;overflow-wrap:anywhere}
p{margin:.4rem 0}
.meta{color:#555d6e;font-size:.85rem;overflow-wrap:anywhere}
.counts{display:flex;flex-wrap:wrap;gap:.35rem;list-style:none;margin:.25rem 0;padding:0}
.counts li{background:#fff;border-radius:4px;padding:.2rem .5rem;border-left:5px solid var(--c);font-size:.9rem}
.rows{list-style:none;margin:0;padding:0;background:#fff;border-radius:6px;overflow:hidden}
.rows li{border-top:1px solid #e3e6eb}
.rows li:first-child{border-top:0}
.row{display:flex;align-items:center;gap:.5rem;padding:.55rem .7rem;border-left:6px solid var(--c);text-decoration:none;min-width:0}
a.row:hover,a.row:focus{background:#f5f7fa}
.name{flex:1 1 auto;min-width:0;overflow-wrap:anywhere}
.name small{display:block;color:#555d6e;font-size:.8rem}
.badge{flex:none;display:inline-block;background:var(--c);color:var(--t,#fff);border-radius:1rem;padding:.05rem .55rem;font-size:.8rem;font-weight:600;white-space:nowrap}
.empty{background:#fff;border-radius:6px;padding:.7rem;color:#555d6e}
.card{background:#fff;border-radius:6px;border-left:6px solid var(--c);padding:.6rem .7rem;margin:0 0 .6rem}
.card .top{display:flex;align-items:flex-start;gap:.5rem}
.card .top h1,.card .top h3{flex:1 1 auto;min-width:0;margin:0}
.figures{display:flex;flex-wrap:wrap;gap:.2rem 1rem;font-size:.9rem;margin:.3rem 0}
.message{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85rem;background:#f5f7fa;border-radius:4px;padding:.3rem .4rem;margin:.3rem 0;white-space:pre-wrap;overflow-wrap:anywhere;max-height:8rem;overflow:auto}
.chart{display:block;width:100%;height:3.5rem;background:#f5f7fa;border-radius:4px}
.chart .line{fill:none;stroke:#2f5fb3;stroke-width:1.5}
.chart .band{fill:#2f5fb3;fill-opacity:.15}
.chart .dot{fill:#2f5fb3}
.range{display:flex;justify-content:space-between;font-size:.75rem;color:#555d6e}
.group{background:#fff;border-radius:6px;padding:.5rem .7rem;margin:0 0 .6rem;border-left:6px solid var(--c)}
.group .rows{border:1px solid #e3e6eb}
form.login{background:#fff;border-radius:6px;padding:1rem;max-width:22rem;margin:1.5rem auto}
form.login label{display:block;margin:.6rem 0 .2rem;font-weight:600}
form.login input{width:100%;font:inherit;padding:.45rem;border:1px solid #8a93a6;border-radius:4px}
form.login button{margin-top:1rem;width:100%;font:inherit;font-weight:600;padding:.5rem;border:0;border-radius:4px;background:#2f5fb3;color:#fff;cursor:pointer}
.notice{background:#fdecea;color:#7a1711;border-radius:4px;padding:.45rem .6rem;margin:.5rem 0}
footer{max-width:64rem;margin:0 auto;padding:.5rem .75rem 1.5rem;color:#555d6e;font-size:.8rem}
.s-critical{--c:#b3261e}
.s-major{--c:#d5480f}
.s-minor{--c:#e0a100;--t:#1b1f27}
.s-degraded{--c:#c9b800;--t:#1b1f27}
.s-unknown{--c:#7b4fb0}
.s-ok{--c:#2e7d32}
.s-no_data{--c:#8a93a6}
@media (min-width:48rem){.columns{display:grid;grid-template-columns:1fr 1fr;gap:0 1rem;align-items:start}}
)css";

} // namespace

const QByteArray &statusStyleSheet()
{
    static const QByteArray sheet = QByteArray(StyleSheet).trimmed();
    return sheet;
}

const QByteArray &statusStyleHashSource()
{
    static const QByteArray source =
        "'sha256-" + QCryptographicHash::hash(statusStyleSheet(), QCryptographicHash::Sha256).toBase64() +
        "'";
    return source;
}

} // namespace prophasis
