namespace LabelRep;

/// <summary>
/// An entry of one of LabelRep's registries: a class with a parameterless constructor anywhere in this assembly, found
/// by reflection. A new label kind, attack, suite, backbone, dataset, executor or report section is one such class.
/// </summary>
public interface IRegistered
{
    /// <summary>The name on the command line, in specs and in results.</summary>
    string Name { get; }
}

/// <summary>
/// Every <typeparamref name="T"/> in this assembly by name: the one registration idiom. Entries are made once, on first
/// use, and listed in <see cref="All"/>'s order (by <paramref name="order"/> when given, else by name).
/// </summary>
public sealed class Registry<T> where T : class, IRegistered
{
    private readonly Lazy<IReadOnlyList<T>> _all;
    private readonly string _what;

    /// <param name="what">What an entry is, for messages ("label kind", "dataset").</param>
    /// <param name="order">The listing order of the entries; null: by name.</param>
    public Registry(string what, Func<IEnumerable<T>, IEnumerable<T>>? order = null)
    {
        _what = what;
        _all = new Lazy<IReadOnlyList<T>>(() =>
        {
            T[] found = typeof(T).Assembly.GetTypes()
                .Where(t => typeof(T).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false } && t.GetConstructor(Type.EmptyTypes) != null)
                .Select(t => (T)Activator.CreateInstance(t)!)
                .ToArray();
            string? twice = found.GroupBy(e => e.Name).FirstOrDefault(g => g.Count() > 1)?.Key;
            if (twice != null) throw new InvalidOperationException($"two {what}s are named '{twice}'");
            return (order ?? (e => e.OrderBy(x => x.Name, StringComparer.Ordinal)))(found).ToArray();
        });
    }

    /// <param name="what">What an entry is, for messages.</param>
    /// <param name="first">The names listed first, in this order; every other entry follows by name.</param>
    public Registry(string what, string[] first)
        : this(what, all => all.OrderBy(e => Array.IndexOf(first, e.Name) is var i && i < 0 ? int.MaxValue : i).ThenBy(e => e.Name, StringComparer.Ordinal))
    {
    }

    /// <summary>Every entry, in the registry's order.</summary>
    public IReadOnlyList<T> All => _all.Value;

    public IReadOnlyList<string> Names => All.Select(e => e.Name).ToArray();

    public bool Contains(string name) => Find(name) != null;

    public T? Find(string name) => All.FirstOrDefault(e => e.Name == name);

    /// <summary>The entry named <paramref name="name"/>, or one line listing the valid names.</summary>
    public T Get(string name) =>
        Find(name) ?? throw new LabelRepException($"unknown {_what} '{name}'; valid: {string.Join(", ", Names)}");
}
