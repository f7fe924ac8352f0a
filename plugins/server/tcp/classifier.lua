-- Default classifier of org.prophasis.tcp (contract: docs/PLUGIN_GUIDE.md; typing of results:
-- plugins/server/README.md).
local verdict = failureRule() -- refused or no answer twice in a row: critical; once: unknown
if verdict then
    return verdict
end
local last = results[#results]

-- The answer did not match `expect`.
if last.status == "critical" then
    return "critical"
end

-- The connect time.
if last.value >= (tonumber(vars.tcp_crit_ms) or 2000) then
    return "major"
elseif last.value >= (tonumber(vars.tcp_warn_ms) or 500) then
    return "minor"
end
return "ok"
