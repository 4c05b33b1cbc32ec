// SPDX-License-Identifier: MIT
#pragma once
// Private: Clang's thread-safety annotations (-Wthread-safety), as LevelDB's
// port/thread_annotations.h. They state which mutex guards which data and which functions must be
// called with it held, and Clang checks every access at compile time (the clang CI build turns
// the warnings into errors). Other compilers see nothing. Apply them to the annotated Mutex of
// store/detail/mutex.hpp: libstdc++'s std::mutex carries no capability attributes.

#if defined(__clang__)
#define WEFT_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define WEFT_THREAD_ANNOTATION(x)
#endif

/// On a class: it is a capability (a mutex) named `x` in diagnostics.
#ifndef CAPABILITY
#define CAPABILITY(x) WEFT_THREAD_ANNOTATION(capability(x))
#endif
/// On an RAII class that holds a capability for its lifetime.
#ifndef SCOPED_CAPABILITY
#define SCOPED_CAPABILITY WEFT_THREAD_ANNOTATION(scoped_lockable)
#endif
/// On a data member: read or written only with mutex `x` held.
#ifndef GUARDED_BY
#define GUARDED_BY(x) WEFT_THREAD_ANNOTATION(guarded_by(x))
#endif
/// On a pointer member: what it points to is read or written only with mutex `x` held.
#ifndef PT_GUARDED_BY
#define PT_GUARDED_BY(x) WEFT_THREAD_ANNOTATION(pt_guarded_by(x))
#endif
/// On a function: its caller holds the mutexes named.
#ifndef REQUIRES
#define REQUIRES(...) WEFT_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#endif
/// On a function: its caller does not hold the mutexes named (it takes them itself).
#ifndef EXCLUDES
#define EXCLUDES(...) WEFT_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#endif
/// On a function: it takes the mutexes named (or `this`) and returns holding them.
#ifndef ACQUIRE
#define ACQUIRE(...) WEFT_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#endif
/// On a function: it releases the mutexes named (or `this`), held on entry.
#ifndef RELEASE
#define RELEASE(...) WEFT_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#endif
/// On a function: it checks at run time that the mutex is held and tells the analysis so.
#ifndef ASSERT_CAPABILITY
#define ASSERT_CAPABILITY(x) WEFT_THREAD_ANNOTATION(assert_capability(x))
#endif
/// On a function the analysis cannot follow (say, a lock handed across a callback): not checked.
/// Each use says why in a comment.
#ifndef NO_THREAD_SAFETY_ANALYSIS
#define NO_THREAD_SAFETY_ANALYSIS WEFT_THREAD_ANNOTATION(no_thread_safety_analysis)
#endif
