--[[
  The end of every one-request script, after its decision (reply, admitted): keeps the reply of
  a call that spent something when asked to (remember > 0), as acquire-reply does, then returns it.
]]

if admitted and remember > 0 then
  redis.call("SET", KEYS[1], cmsgpack.pack(reply), "PX", int_text(remember))
end
return reply
