-- Default classifier of org.prophasis.ping (contract: docs/PLUGIN_GUIDE.md; typing of results:
-- plugins/server/README.md). No reply at all is a failed run (connection_error): twice in a row
-- critical, once unknown. A core that may not ping gives no value: unknown.
local verdict = failureRule()
if verdict then
    return verdict
end
local last = results[#results]

local rank = { ok = 0, minor = 1, major = 2, critical = 3 }
local worst = "ok"
local function atLeast(level)
    if rank[level] > rank[worst] then
        worst = level
    end
end

-- Packet loss, in percent.
local loss = last.metrics.packet_loss_percent or 0
if loss >= (tonumber(vars.ping_loss_crit) or 50) then
    atLeast("major")
elseif loss >= (tonumber(vars.ping_loss_warn) or 10) then
    atLeast("minor")
end

-- The average round trip.
if last.value >= (tonumber(vars.ping_crit_ms) or 1000) then
    atLeast("major")
elseif last.value >= (tonumber(vars.ping_warn_ms) or 200) then
    atLeast("minor")
end
return worst
