-- Load average: load1 as the value, load1/load5/load15 as metrics, from /proc/loadavg
-- ("0.52 0.58 0.59 1/1043 12345"). cpus is added when the runtime knows it, so a classifier can
-- scale its thresholds to the machine.
local path = prophasis.args.loadavg_path

local text, err = prophasis.read_file(path, 4096)
if not text then
    return { value = nil, message = "cannot read " .. path .. ": " .. tostring(err) }
end

local l1, l5, l15 = text:match("^%s*(%d+%.?%d*)%s+(%d+%.?%d*)%s+(%d+%.?%d*)")
if not l1 then
    return { value = nil, message = path .. " does not start with three load averages" }
end
l1, l5, l15 = tonumber(l1), tonumber(l5), tonumber(l15)

local metrics = { load1 = l1, load5 = l5, load15 = l15 }
local cpus = math.tointeger(prophasis.os and prophasis.os.cpu_count)
if cpus and cpus >= 1 then
    metrics.cpus = cpus
end
return {
    value = l1,
    message = string.format("load average %.2f, %.2f, %.2f", l1, l5, l15),
    metrics = metrics,
}
