"""Training in its own process, for the app: a spawned child trains, the parent steers it and
reads what it sends without ever waiting on it. Qt-free, like the rest of the core.

    protocol  the messages and commands, each tagged with its run id
    wire      messages as frames on a pipe (big arrays out of band), read without blocking
    live      the live data a run sends besides its records (weights, boundary, examples)
    child     the child process: warm-up, then each run the parent starts
    process   the parent's handle on one child: spawn, send, receive, end
    pool      one warm child kept between runs (torch imported, optimizers stepped)
    folder    run folder names, and finishing a folder whose child ended before it could
    runner    the parent side of one run at a time: stale messages dropped, stop = a message,
              a short grace, then terminate
"""
