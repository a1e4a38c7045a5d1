"""`edgemodels server`: one process per user that runs `check` and `generate` for the
`edgemodels` commands typed while it runs, so that what it keeps in memory between them
(`edgemodels.resident`) is not rebuilt by every run.

    client.py   the fast path of `edgemodels check|generate`: standard library only
    place.py    where the server listens, and the checks before using it
    wire.py     frames: a 4-byte length, then JSON
    stamp.py    what the server's code and interpreter must match to run a client's command
    serve.py    the server: the socket, the queue, one command at a time in the main thread
    listener.py where it listens: the lock taken, the socket bound, the pid file written
    admission.py  what a connection and its request must be for its command to run
    command.py  one command: the client's process state set up, run, put back
    streams.py  stdout and stderr that write to the client; acks and signals read back
    interrupts.py  Ctrl-C for the command, SIGINT and SIGTERM for the server
    control.py  start, stop, status
"""
