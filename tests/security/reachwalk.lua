-- A classifier (run by tests/security/tst_classifiersandbox.cpp) that walks everything it can reach
-- without the debug library and fails naming each way out of the sandbox it finds.
local banned = {}
for _, name in ipairs({"io", "os", "debug", "package", "require", "load", "loadfile", "dofile",
                       "loadstring", "loadlib", "searchpath", "searchers", "preload", "loaded", "dump",
                       "execute", "popen", "exit", "getenv", "tmpname", "tmpfile", "setlocale", "lines",
                       "collectgarbage", "getregistry", "sethook", "gethook", "getupvalue", "setupvalue",
                       "upvaluejoin", "getlocal", "setlocal", "getinfo", "read_file", "write_file", "run",
                       "list_dir", "_LOADED", "_PRELOAD", "cpath", "path"}) do
  banned[name] = true
end
local seen, found, walked = {}, {}, 0
local function walk(value, where)
  local kind = type(value)
  if kind == "userdata" then found[#found + 1] = where .. " (userdata)" end
  if kind ~= "table" or seen[value] then return end
  seen[value] = true
  walked = walked + 1
  -- By name too: the libraries are read-only proxies that `next` cannot list, but they answer
  -- an index through their metatable.
  for name in pairs(banned) do
    local ok, inner = pcall(function() return value[name] end)
    if ok and inner ~= nil and rawget(value, name) == nil then found[#found + 1] = where .. "." .. name end
  end
  for key, inner in next, value do
    local name = tostring(key)
    if banned[name] then found[#found + 1] = where .. "." .. name end
    walk(inner, where .. "." .. name)
  end
  local meta = getmetatable(value)
  if type(meta) == "table" then walk(meta, where .. "<metatable>") end
end
walk(_ENV, "_ENV")
-- The shared sandbox behind _ENV (its __index, behind a protected metatable) cannot be listed
-- either: walk each global a classifier is documented to have, and every standard name.
for _, name in ipairs({"string", "table", "math", "utf8", "coroutine", "arrayMax", "arrayMin", "arraySum",
                       "arrayAvg", "arrayContains", "arrayCount", "failureRule", "trend", "assert", "error",
                       "ipairs", "next", "pairs", "pcall", "print", "rawequal", "rawget", "rawlen", "rawset",
                       "select", "setmetatable", "getmetatable", "tonumber", "tostring", "type", "xpcall",
                       "warn", "_VERSION"}) do
  walk(_ENV[name], "_ENV." .. name)
end
for name in pairs(banned) do
  local ok, inner = pcall(function() return ("")[name] end)
  if ok and inner ~= nil then found[#found + 1] = "(\"\")." .. name end
end
local strings = getmetatable("")
if type(strings) == "table" then walk(strings, "<strings' metatable>") end
if #found > 0 then error("reachable: " .. table.concat(found, ", ")) end
if walked < 5 then error("walked only " .. walked .. " tables") end
return "ok"
