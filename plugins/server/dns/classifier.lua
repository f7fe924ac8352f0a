-- Default classifier of org.prophasis.dns (contract: docs/PLUGIN_GUIDE.md; typing of results:
-- plugins/server/README.md).
local verdict = failureRule() -- the resolver did not answer twice in a row: critical; once: unknown
if verdict then
    return verdict
end
local last = results[#results]

-- The name does not exist, or the answer lacks an expected value.
if last.status == "critical" then
    return "critical"
end

-- The resolution time.
if last.value >= (tonumber(vars.dns_crit_ms) or 2000) then
    return "major"
elseif last.value >= (tonumber(vars.dns_warn_ms) or 500) then
    return "minor"
end
return "ok"
