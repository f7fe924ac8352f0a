-- Results as the core's HTTP check makes them (daemon-core/serverchecks/httpcheck.cpp).
local function answer(ms, metrics, status)
    local m = { time_total_ms = ms, status_code = 200, body_bytes = 512, cert_days_left = 90 }
    for k, v in pairs(metrics or {}) do
        m[k] = v
    end
    return { type = "success", value = ms, metrics = m, status = status or "ok", message = "HTTP 200 OK" }
end

h.failureRuleTests(answer(120))

test("classifier: an unexpected status or a body that does not match is critical at once", function()
    eq(h.classify { results = { answer(120), answer(80, { status_code = 503 }, "critical") } }, "critical")
end)

test("classifier: certificate expiry, default thresholds 21 and 7 days", function()
    eq(h.classify { results = { answer(120, { cert_days_left = 22 }) } }, "ok")
    eq(h.classify { results = { answer(120, { cert_days_left = 21 }) } }, "minor")
    eq(h.classify { results = { answer(120, { cert_days_left = 7 }) } }, "major")
    eq(h.classify { results = { answer(120, { cert_days_left = 2 }) } }, "major")
    eq(h.classify { results = { answer(120, { cert_days_left = -1 }) } }, "critical", "expired")
end)

test("classifier: certificate thresholds from host variables cert_warn_days, cert_crit_days", function()
    local vars = { cert_warn_days = "5", cert_crit_days = "1" }
    eq(h.classify { results = { answer(120, { cert_days_left = 6 }) }, vars = vars }, "ok")
    eq(h.classify { results = { answer(120, { cert_days_left = 2 }) }, vars = vars }, "minor")
    eq(h.classify { results = { answer(120, { cert_days_left = 1 }) }, vars = vars }, "major")
end)

test("classifier: plain http has no certificate", function()
    local r = answer(120)
    r.metrics.cert_days_left = nil
    eq(h.classify { results = { r } }, "ok")
end)

test("classifier: response time, default 1000 and 5000 ms, host variables http_warn_ms, http_crit_ms", function()
    eq(h.classify { results = { answer(999) } }, "ok")
    eq(h.classify { results = { answer(1000) } }, "minor")
    eq(h.classify { results = { answer(5000) } }, "major")
    eq(h.classify { results = { answer(300) }, vars = { http_warn_ms = "250" } }, "minor")
    eq(h.classify { results = { answer(300) }, vars = { http_warn_ms = "250", http_crit_ms = "300" } }, "major")
end)

test("classifier: the worst of time and certificate", function()
    eq(h.classify { results = { answer(1500, { cert_days_left = 3 }) } }, "major")
    eq(h.classify { results = { answer(6000, { cert_days_left = 15 }) } }, "major")
end)

test("classifier: a TLS refusal twice in a row is critical", function()
    eq(h.classify { results = { answer(120), h.failure("tls_error", "certificate has expired") } }, "unknown")
    eq(h.classify { results = { h.failure("tls_error"), h.failure("tls_error") } }, "critical")
end)
