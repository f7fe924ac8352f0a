-- CPU load: the 1-minute load average per CPU, in percent, from /proc/loadavg
-- ("0.52 0.58 0.59 1/1043 12345"). The CPU count comes from the runtime (prophasis.os).
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

local cpus = math.tointeger(prophasis.os and prophasis.os.cpu_count)
if not cpus or cpus < 1 then
    return {
        value = nil,
        message = string.format("load %.2f %.2f %.2f, but the runtime reports no CPU count", l1, l5, l15),
        metrics = { load1 = l1, load5 = l5, load15 = l15 },
    }
end

local percent = l1 / cpus * 100
return {
    value = percent,
    message = string.format("%.0f %% of %d CPU%s (load %.2f %.2f %.2f)", percent, cpus, cpus == 1 and "" or "s",
        l1, l5, l15),
    metrics = {
        load1 = l1,
        load5 = l5,
        load15 = l15,
        cpus = cpus,
    },
}
