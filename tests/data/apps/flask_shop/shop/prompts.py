SYSTEM = "You are the shop assistant. Answer questions about orders only."
GREETING = "hello"
