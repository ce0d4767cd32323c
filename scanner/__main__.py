from aisec.cli import console_main

console_main()
