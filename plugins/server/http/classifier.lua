-- Default classifier of org.prophasis.http (contract: docs/PLUGIN_GUIDE.md; typing of results:
-- plugins/server/README.md).
local verdict = failureRule() -- no answer twice in a row: critical; once: unknown
if verdict then
    return verdict
end
local last = results[#results]

-- The check judged its arguments itself: an unexpected status, a body that does not match.
if last.status == "critical" then
    return "critical"
end

local rank = { ok = 0, minor = 1, major = 2, critical = 3 }
local worst = "ok"
local function atLeast(level)
    if rank[level] > rank[worst] then
        worst = level
    end
end

-- The certificate: expired (only seen with tls_verify off or a pin) is critical.
local days = last.metrics.cert_days_left
if days ~= nil then
    if days < 0 then
        return "critical"
    elseif days <= (tonumber(vars.cert_crit_days) or 7) then
        atLeast("major")
    elseif days <= (tonumber(vars.cert_warn_days) or 21) then
        atLeast("minor")
    end
end

-- The response time.
if last.value >= (tonumber(vars.http_crit_ms) or 5000) then
    atLeast("major")
elseif last.value >= (tonumber(vars.http_warn_ms) or 1000) then
    atLeast("minor")
end
return worst
