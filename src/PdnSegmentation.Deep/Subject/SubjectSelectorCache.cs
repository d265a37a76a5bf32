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
/// </summary>
public sealed class SubjectSelectorCache : IDisposable
{
    /// <summary>The host process's cache.</summary>
    public static SubjectSelectorCache Shared { get; } = new();

    internal sealed record Key(string Path, long Size, string Sha256, DateTime LastWriteUtc, ExecutionDevice Device);

    internal sealed class Entry(Key key, SubjectSelector selector, DateTimeOffset now)
    {
        public Key Key { get; } = key;
        public SubjectSelector Selector { get; } = selector;
        public int Users;
        public DateTimeOffset LastUsed = now;
        public bool Closing;
    }

    private readonly object _gate = new();
    private readonly List<Entry> _entries = []; // least recently used first
    private readonly TimeProvider _time;
    private readonly ITimer _sweeper;
    private bool _disposed;

    public SubjectSelectorCache(int capacity = 2, TimeSpan? idleLifetime = null, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        IdleLifetime = idleLifetime ?? TimeSpan.FromMinutes(10);
        _time = time ?? TimeProvider.System;
        var period = IdleLifetime / 4 < TimeSpan.FromMinutes(1) ? IdleLifetime / 4 : TimeSpan.FromMinutes(1);
        _sweeper = _time.CreateTimer(_ => Trim(), null, period, period);
    }

    public int Capacity { get; }
    public TimeSpan IdleLifetime { get; }

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
                entry = new Entry(key, SubjectSelector.Open(model, new SelectSubjectOptions { Device = device, Refinement = null, ReleaseWorkingMemory = true }), _time.GetUtcNow());
            }
            else _entries.Remove(entry);
            _entries.Add(entry);
            entry.Users++;
            TrimLocked();
            return new Lease(this, entry);
        }
    }

    /// <summary>Closes the models idle for longer than <see cref="IdleLifetime"/> and the least recently used beyond <see cref="Capacity"/> (the timer calls it too).</summary>
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
            bool expired = entry.Users == 0 && now - entry.LastUsed >= IdleLifetime;
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
