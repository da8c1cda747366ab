/// The report's stylesheet, inlined so the file works offline and from a CI artifact.
enum HTMLStyle {
    static let css = """
    :root{--bg:#f5f6f8;--card:#fff;--ink:#1d2330;--muted:#667085;--line:#e4e7ec;--valid:#12805c;--invalid:#c4320a;\
    --unknown:#8a6d00;--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
    *{box-sizing:border-box}
    body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,\
    Helvetica,Arial,sans-serif}
    header.hero{padding:28px 40px 64px;color:#fff;background:linear-gradient(120deg,#1d2330,#2f3a52)}
    header.hero.valid{background:linear-gradient(120deg,#0b4f3a,#12805c)}
    header.hero.invalid{background:linear-gradient(120deg,#7a1f06,#c4320a)}
    header.hero.unknown{background:linear-gradient(120deg,#5c4900,#8a6d00)}
    header h1{margin:6px 0 4px;font-size:26px;font-weight:650;letter-spacing:-.01em}
    header .meta{opacity:.85;margin:0}
    header>*{max-width:1032px;margin-left:auto;margin-right:auto}
    header .note{margin:10px 0 0;padding:8px 12px;background:rgba(0,0,0,.22);border-radius:6px;display:inline-block}
    .badge{display:inline-block;font-weight:700;font-size:12px;letter-spacing:.08em;padding:3px 10px;\
    border-radius:99px;\
    background:rgba(255,255,255,.2)}
    main{max-width:1080px;margin:0 auto;padding:22px 24px 40px}
    .tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;margin:-62px 0 18px}
    .tile{background:var(--card);border-radius:10px;padding:12px 16px;box-shadow:0 1px 3px rgba(16,24,40,.12)}
    .tile b{display:block;font-size:22px;font-weight:650}
    .tile span{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.05em}
    section.card{background:var(--card);border-radius:10px;padding:18px 22px;margin:0 0 18px;\
    box-shadow:0 1px 3px rgba(16,24,40,.08)}
    h2{font-size:16px;margin:0 0 4px}
    h3{font-size:14px;margin:16px 0 6px}
    .hint{color:var(--muted);margin:0 0 10px;font-size:13px}
    table{border-collapse:collapse;width:100%}
    td,th{text-align:left;padding:7px 10px;border-bottom:1px solid var(--line);vertical-align:top}
    th{color:var(--muted);font-weight:600;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
    .pill{display:inline-block;min-width:64px;text-align:center;font-size:11px;font-weight:700;letter-spacing:.06em;\
    padding:2px 8px;border-radius:99px;color:#fff;text-transform:uppercase}
    .pill.valid{background:var(--valid)}.pill.invalid{background:var(--invalid)}.pill.unknown{background:var(--unknown)}
    ul.findings{list-style:none;padding:0;margin:0}
    ul.findings li{padding:8px 12px;margin:6px 0;border-left:3px solid var(--invalid);background:#fef6f3;\
    border-radius:4px}
    ul.findings li.unknown{border-color:var(--unknown);background:#fdf9ec}
    .when{font-family:var(--mono);font-size:12px;color:var(--muted);margin-left:6px}
    pre{font-family:var(--mono);font-size:12px;background:#0f1420;color:#dfe6f3;padding:10px 12px;border-radius:6px;\
    overflow:auto;margin:8px 0 2px;white-space:pre}
    details summary{cursor:pointer;color:var(--muted);font-size:12px}
    svg.chart{width:100%;height:auto;display:block}
    svg .grid{stroke:#eef0f3}svg .axis{stroke:#98a2b3}svg .xtick{stroke:#98a2b3}
    svg .tick{fill:#667085;font-size:11px}svg .ylabel{fill:#667085;font-size:11px}
    svg .line{fill:none;stroke-linejoin:round;stroke-linecap:round}
    svg .marker{stroke-width:1.5;stroke-dasharray:3 3}
    svg .row{fill:#f2f4f7}svg .fault{fill-opacity:.85}svg .faultlabel{fill:#fff;font-size:10px;font-weight:600}
    svg .crash{fill:#c4320a;stroke:#fff;stroke-width:1.5}svg .exit{fill:#98a2b3}
    .legend{display:flex;flex-wrap:wrap;gap:14px;margin:6px 0 0 64px;font-size:12px;color:var(--muted)}
    .legend i{display:inline-block;width:12px;height:3px;border-radius:2px;margin-right:5px;vertical-align:middle}
    .legend i.box{height:10px;width:10px;opacity:.6}
    .scroll{overflow-x:auto}svg.history{height:auto}svg .oplabel{fill:#fff;font-size:9px;font-weight:600}
    svg rect.op:hover{stroke:#1d2330;stroke-width:2}
    .metrics td{font-family:var(--mono);font-size:12px}
    footer{color:var(--muted);font-size:12px;text-align:center;padding:0 0 30px}
    footer a{color:inherit}
    """
}
