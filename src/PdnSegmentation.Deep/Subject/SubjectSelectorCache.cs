using PdnSegmentation.Deep.Runtime;

namespace PdnSegmentation.Deep.Subject;

/// <summary>
/// Open subject models shared by a long-lived host's dialogs (the Paint.NET plugin). Opening one means hashing its file,
/// creating the ONNX session and paying its first run: measured on two cores, u2netp's session opened in 418 ms the
/// first time in a process and 54–62 ms later, and IS-Net's first photo took 4.1 s against 2.1 s for the next — costs
/// every new Smart Cut or Select Subject dialog paid again. A rented model stays open while it is used and for
/// <see cref="IdleLifetime"/> after; at most <see cref="Capacity"/> stay open (IS-Net's session holds a few hundred MB),
/// the least recently used closing first once nobody holds it. A model file that changed on disk (reinstalled) is
/// opened afresh. Selectors are shared between threads: ONNX Runtime's CPU sessions take concurrent runs and a GPU
/// session queues them (<see cref="ModelSession"/>).
/// <para>
/// A model's working memory (the activations of a run, ~200 MB for u2netp) is the other cost. Given back after every
/// run, the next run allocates it afresh: u2netp's run on two cores 278 ms holding it against 368–390 ms giving it
/// back, 337 against 487 ms on a slower day — and Smart Cut's dialogs run it once or twice (the mirrored run). Models
/// with a small input frame (at most <see cref="MaxFramePixelsKeepingWorkingMemory"/>: u2netp's 320², the selfie
/// model's 256²) therefore keep it between runs, and such a model closes after <see cref="WorkingMemoryLifetime"/> idle,
/// so that an idle Paint.NET holds it only for a burst of dialogs (reopening costs ~60 ms). Larger frames (IS-Net's
/// 1024²: ten times the pixels, and its working memory with them) give it back after each use and stay open with their
/// weights for <see cref="IdleLifetime"/>.
/// </para>
/// </summary>
public sealed class SubjectSelectorCache : IDisposable
{
    /// <summary>The host process's cache.</summary>
    public static SubjectSelectorCache Shared { get; } = new();

    internal sealed record Key(string Path, long Size, string Sha256, DateTime LastWriteUtc, ExecutionDevice Device);

    internal sealed class Entry(Key key, SubjectSelector selector, DateTimeOffset now, TimeSpan idleLifetime)
    {
        public Key Key { get; } = key;
        public SubjectSelector Selector { get; } = selector;
        public TimeSpan IdleLifetime { get; } = idleLifetime;
        public int Users;
        public DateTimeOffset LastUsed = now;
        public bool Closing;
    }

    private readonly object _gate = new();
    private readonly List<Entry> _entries = []; // least recently used first
    private readonly TimeProvider _time;
    private readonly ITimer _sweeper;
    private bool _disposed;

    /// <summary>The largest input frame, in pixels, of a model that keeps its working memory between runs.</summary>
    public const int MaxFramePixelsKeepingWorkingMemory = 512 * 512;

    public SubjectSelectorCache(int capacity = 2, TimeSpan? idleLifetime = null, TimeSpan? workingMemoryLifetime = null, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        IdleLifetime = idleLifetime ?? TimeSpan.FromMinutes(10);
        WorkingMemoryLifetime = workingMemoryLifetime ?? TimeSpan.FromMinutes(2);
        _time = time ?? TimeProvider.System;
        var shorter = WorkingMemoryLifetime < IdleLifetime ? WorkingMemoryLifetime : IdleLifetime;
        var period = shorter / 4 < TimeSpan.FromMinutes(1) ? shorter / 4 : TimeSpan.FromMinutes(1);
        _sweeper = _time.CreateTimer(_ => Trim(), null, period, period);
    }

    public int Capacity { get; }
    /// <summary>How long an idle model that gives its working memory back after each use stays open.</summary>
    public TimeSpan IdleLifetime { get; }

    /// <summary>How long an idle model that keeps its working memory between runs stays open.</summary>
    public TimeSpan WorkingMemoryLifetime { get; }

    /// <summary>Whether the model keeps its working memory between runs: a fixed or largest input frame of at most <see cref="MaxFramePixelsKeepingWorkingMemory"/>.</summary>
    internal static bool KeepsWorkingMemory(InstalledModel model) =>
        (model.Subject?.Input.Side ?? model.Subject?.Input.MaxSide) is int side && (long)side * side <= MaxFramePixelsKeepingWorkingMemory;

    /// <summary>How many models are open now (tests).</summary>
    internal int OpenModels { get { lock (_gate) return _entries.Count; } }

    /// <summary>
    /// The model opened on the device (its contract's defaults: mirroring as model.json says, no refinement, every
    /// core), shared with every other holder until the lease is disposed. Opening failures (a corrupt file, a contract
    /// mismatch) are thrown as <see cref="SubjectSelector.Open"/> throws them, and nothing is cached.
    /// </summary>
    public Lease Rent(InstalledModel model, ExecutionDevice device)
    {
        var file = model.FileFor("model");
        var key = new Key(Path.GetFullPath(file.Path), file.Size, file.Sha256, File.GetLastWriteTimeUtc(file.Path), device);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var entry = _entries.Find(e => e.Key == key);
            if (entry is null)
            {
                // Opened under the lock: two dialogs asking for the same model at once open it once.
                bool keep = KeepsWorkingMemory(model);
                var selector = SubjectSelector.Open(model, new SelectSubjectOptions { Device = device, Refinement = null, ReleaseWorkingMemory = !keep });
                entry = new Entry(key, selector, _time.GetUtcNow(), keep ? WorkingMemoryLifetime : IdleLifetime);
            }
            else _entries.Remove(entry);
            _entries.Add(entry);
            entry.Users++;
            TrimLocked();
            return new Lease(this, entry);
        }
    }

    /// <summary>Closes the models idle for longer than their lifetime (<see cref="IdleLifetime"/> or <see cref="WorkingMemoryLifetime"/>) and the least recently used beyond <see cref="Capacity"/> (the timer calls it too).</summary>
    public void Trim()
    {
        lock (_gate) TrimLocked();
    }

    private void TrimLocked()
    {
        var now = _time.GetUtcNow();
        for (int i = 0; i < _entries.Count; i++)
        {
            var entry = _entries[i];
            bool expired = entry.Users == 0 && now - entry.LastUsed >= entry.IdleLifetime;
            bool surplus = _entries.Count > Capacity;
            if (!expired && !surplus) continue;
            _entries.RemoveAt(i--);
            entry.Closing = true;
            // One still in use closes when its last holder lets go.
            if (entry.Users == 0) entry.Selector.Dispose();
        }
    }

    private void Return(Entry entry)
    {
        lock (_gate)
        {
            entry.Users--;
            entry.LastUsed = _time.GetUtcNow();
            if (entry.Closing && entry.Users == 0) entry.Selector.Dispose();
            TrimLocked();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _sweeper.Dispose();
            foreach (var entry in _entries)
            {
                entry.Closing = true;
                if (entry.Users == 0) entry.Selector.Dispose();
            }
            _entries.Clear();
        }
    }

    /// <summary>A hold on an open model: use <see cref="Selector"/> until disposed (disposing twice returns it once).</summary>
    public sealed class Lease : IDisposable
    {
        private SubjectSelectorCache? _cache;
        private readonly Entry _entry;

        internal Lease(SubjectSelectorCache cache, Entry entry)
        {
            _cache = cache;
            _entry = entry;
        }

        public SubjectSelector Selector => _cache is not null ? _entry.Selector : throw new ObjectDisposedException(nameof(Lease));

        public void Dispose() => Interlocked.Exchange(ref _cache, null)?.Return(_entry);
    }
}
