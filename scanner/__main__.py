from aisec.fastpath import console_main

console_main()
