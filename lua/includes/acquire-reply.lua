--[[
  The end of every acquire script, after its decisions (reply, admitted_any): keeps the reply of
  a call that spent something when asked to (remember > 0), then returns it.
]]

-- Only a call that spent something needs its reply kept: a resent denial spent nothing, and
-- deciding it again is what the caller will see. MessagePack keeps 64-bit integers exact.
if record and remember > 0 and admitted_any then
  redis.call("SET", KEYS[1], cmsgpack.pack(reply), "PX", int_text(remember))
end
return reply
