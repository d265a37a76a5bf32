namespace PaintDotNet.PropertySystem;

// Members whose Paint.NET declaration ("{ get; }") cannot carry a body are preceded by that declaration as a comment;
// the reflection test checks the compiled surface against api-5.1.9.json.

public abstract class Property : ICloneable, INotifyPropertyChanged
{
    private object? _value;
    private bool _readOnly;
    private PropertyChangedEventHandler? _propertyChanged;

    internal Property(object name, Type valueType, object? defaultValue, bool readOnly, ValueValidationFailureResult vvfResult)
    {
        ArgumentNullException.ThrowIfNull(name);
        Name = name.ToString()!;
        ValueType = valueType;
        DefaultValue = defaultValue;
        _value = defaultValue;
        _readOnly = readOnly;
        ValueValidationFailureResult = vvfResult;
    }

    public object? DefaultValue { get; }
    // public static ValueValidationFailureResult DefaultValueValidationFailureResult { get; }
    public static ValueValidationFailureResult DefaultValueValidationFailureResult => ValueValidationFailureResult.Clamp;
    public string Name { get; }
    // public bool ReadOnly { get; set; }
    public bool ReadOnly { get => _readOnly; set { if (_readOnly != value) { _readOnly = value; Raise(nameof(ReadOnly)); } } }
    // public object? Value { get; set; }
    public object? Value
    {
        get => _value;
        set
        {
            if (_readOnly) throw new ReadOnlyException($"Property '{Name}' is read-only.");
            if (!TryValidate(value, out object? accepted))
            {
                if (ValueValidationFailureResult == ValueValidationFailureResult.ThrowException)
                    throw new ArgumentOutOfRangeException(nameof(value), value, $"'{value}' is not a valid value for property '{Name}'.");
                if (ValueValidationFailureResult == ValueValidationFailureResult.Ignore) return;
            }
            if (Equals(_value, accepted)) return;
            _value = accepted;
            Raise(nameof(Value));
        }
    }
    public Type ValueType { get; }
    public ValueValidationFailureResult ValueValidationFailureResult { get; }
    public abstract Property Clone();
    object ICloneable.Clone() => Clone();

    event PropertyChangedEventHandler? INotifyPropertyChanged.PropertyChanged { add => _propertyChanged += value; remove => _propertyChanged -= value; }

    /// <summary>True when <paramref name="value"/> is acceptable as is; otherwise false with the clamped value.</summary>
    internal abstract bool TryValidate(object? value, out object? accepted);

    /// <summary>Sets the value ignoring the read-only flag (the host and CopyCompatibleValuesFrom use it).</summary>
    internal void SetValueCore(object? value)
    {
        bool was = _readOnly;
        _readOnly = false;
        try { Value = value; }
        finally { _readOnly = was; }
    }

    private void Raise(string member) => _propertyChanged?.Invoke(this, new PropertyChangedEventArgs(member));

    internal T CopyStateTo<T>(T clone) where T : Property
    {
        clone._value = _value;
        clone._readOnly = _readOnly;
        return clone;
    }
}

/// <summary>Raised when a read-only property is set.</summary>
internal sealed class ReadOnlyException(string message) : InvalidOperationException(message);

public abstract class Property<T> : Property, ICloneable, INotifyPropertyChanged
{
    internal Property(object name, T defaultValue, bool readOnly, ValueValidationFailureResult vvfResult)
        : base(name, typeof(T), defaultValue, readOnly, vvfResult) { }

    // public T DefaultValue { get; }
    public new T DefaultValue => (T)base.DefaultValue!;
    // public T Value { get; set; }
    public new T Value { get => (T)base.Value!; set => base.Value = value; }

    internal override bool TryValidate(object? value, out object? accepted)
    {
        if (value is T typed) return TryValidateTyped(typed, out accepted);
        accepted = base.Value;
        return false;
    }

    internal virtual bool TryValidateTyped(T value, out object? accepted)
    {
        accepted = value;
        return true;
    }
}

public abstract class ScalarProperty<T> : Property<T>, ICloneable, INotifyPropertyChanged where T : struct, IComparable<T>
{
    internal ScalarProperty(object name, T defaultValue, T minValue, T maxValue, bool readOnly, ValueValidationFailureResult vvfResult)
        : base(name, defaultValue, readOnly, vvfResult)
    {
        if (minValue.CompareTo(maxValue) > 0) throw new ArgumentOutOfRangeException(nameof(minValue), "minValue must not exceed maxValue.");
        if (defaultValue.CompareTo(minValue) < 0 || defaultValue.CompareTo(maxValue) > 0)
            throw new ArgumentOutOfRangeException(nameof(defaultValue), $"The default {defaultValue} is outside [{minValue}, {maxValue}].");
        MinValue = minValue;
        MaxValue = maxValue;
    }

    public T MaxValue { get; }
    public T MinValue { get; }
    public T ClampPotentialValue(T newValue) => newValue.CompareTo(MinValue) < 0 ? MinValue : newValue.CompareTo(MaxValue) > 0 ? MaxValue : newValue;

    internal override bool TryValidateTyped(T value, out object? accepted)
    {
        T clamped = ClampPotentialValue(value);
        accepted = clamped;
        return clamped.CompareTo(value) == 0;
    }
}

public sealed class Int32Property : ScalarProperty<int>, ICloneable, INotifyPropertyChanged
{
    public Int32Property(object name) : this(name, 0) { }
    public Int32Property(object name, int defaultValue) : this(name, defaultValue, int.MinValue, int.MaxValue) { }
    public Int32Property(object name, int defaultValue, int minValue, int maxValue) : this(name, defaultValue, minValue, maxValue, false) { }
    public Int32Property(object name, int defaultValue, int minValue, int maxValue, bool readOnly) : this(name, defaultValue, minValue, maxValue, readOnly, DefaultValueValidationFailureResult) { }
    public Int32Property(object name, int defaultValue, int minValue, int maxValue, bool readOnly, ValueValidationFailureResult vvfResult)
        : base(name, defaultValue, minValue, maxValue, readOnly, vvfResult) { }
    public override Property Clone() => CopyStateTo(new Int32Property(Name, DefaultValue, MinValue, MaxValue, false, ValueValidationFailureResult));
}

public sealed class DoubleProperty : ScalarProperty<double>, ICloneable, INotifyPropertyChanged
{
    public DoubleProperty(object name) : this(name, 0) { }
    public DoubleProperty(object name, double defaultValue) : this(name, defaultValue, double.MinValue, double.MaxValue) { }
    public DoubleProperty(object name, double defaultValue, double minValue, double maxValue) : this(name, defaultValue, minValue, maxValue, false) { }
    public DoubleProperty(object name, double defaultValue, double minValue, double maxValue, bool readOnly) : this(name, defaultValue, minValue, maxValue, readOnly, DefaultValueValidationFailureResult) { }
    public DoubleProperty(object name, double defaultValue, double minValue, double maxValue, bool readOnly, ValueValidationFailureResult vvfResult)
        : base(name, defaultValue, minValue, maxValue, readOnly, vvfResult) { }
    public override Property Clone() => CopyStateTo(new DoubleProperty(Name, DefaultValue, MinValue, MaxValue, false, ValueValidationFailureResult));
}

public sealed class BooleanProperty : ScalarProperty<bool>, ICloneable, INotifyPropertyChanged
{
    public BooleanProperty(object name) : this(name, false) { }
    public BooleanProperty(object name, bool defaultValue) : this(name, defaultValue, false) { }
    public BooleanProperty(object name, bool defaultValue, bool readOnly) : this(name, defaultValue, readOnly, DefaultValueValidationFailureResult) { }
    public BooleanProperty(object name, bool defaultValue, bool readOnly, ValueValidationFailureResult vvfResult) : base(name, defaultValue, false, true, readOnly, vvfResult) { }
    public override Property Clone() => CopyStateTo(new BooleanProperty(Name, DefaultValue, false, ValueValidationFailureResult));
}

public sealed class StaticListChoiceProperty : Property<object>, ICloneable, INotifyPropertyChanged
{
    public StaticListChoiceProperty(object name, object[] valueChoices) : this(name, valueChoices, 0) { }
    public StaticListChoiceProperty(object name, object[] valueChoices, int defaultChoiceIndex) : this(name, valueChoices, defaultChoiceIndex, false) { }
    public StaticListChoiceProperty(object name, object[] valueChoices, int defaultChoiceIndex, bool readOnly)
        : this(name, valueChoices, defaultChoiceIndex, readOnly, DefaultValueValidationFailureResult) { }
    public StaticListChoiceProperty(object name, object[] valueChoices, int defaultChoiceIndex, bool readOnly, ValueValidationFailureResult vvfResult)
        : base(name, Choice(valueChoices, defaultChoiceIndex), readOnly, vvfResult)
    {
        ValueChoices = (object[])valueChoices.Clone();
    }

    private static object Choice(object[] choices, int index)
    {
        ArgumentNullException.ThrowIfNull(choices);
        if (choices.Length == 0) throw new ArgumentException("A choice property needs at least one choice.", nameof(choices));
        if ((uint)index >= (uint)choices.Length) throw new ArgumentOutOfRangeException(nameof(index));
        return choices[index];
    }

    public object[] ValueChoices { get; }
    public override Property Clone() =>
        CopyStateTo(new StaticListChoiceProperty(Name, ValueChoices, Array.IndexOf(ValueChoices, DefaultValue), false, ValueValidationFailureResult));
    public static StaticListChoiceProperty CreateForEnum(Type enumType, object name, object defaultValue) => CreateForEnum(enumType, name, defaultValue, false);
    public static StaticListChoiceProperty CreateForEnum(Type enumType, object name, object defaultValue, bool readOnly)
    {
        if (!enumType.IsEnum) throw new ArgumentException($"{enumType} is not an enum.", nameof(enumType));
        var values = Enum.GetValues(enumType).Cast<object>().ToArray();
        int index = Array.IndexOf(values, defaultValue);
        if (index < 0) throw new ArgumentOutOfRangeException(nameof(defaultValue));
        return new StaticListChoiceProperty(name, values, index, readOnly);
    }
    public static StaticListChoiceProperty CreateForEnum<TEnum>(object name, TEnum defaultValue) where TEnum : Enum => CreateForEnum(typeof(TEnum), name, defaultValue, false);
    public static StaticListChoiceProperty CreateForEnum<TEnum>(object name, TEnum defaultValue, bool readOnly) where TEnum : Enum => CreateForEnum(typeof(TEnum), name, defaultValue, readOnly);

    internal override bool TryValidateTyped(object value, out object? accepted)
    {
        if (Array.IndexOf(ValueChoices, value) >= 0)
        {
            accepted = value;
            return true;
        }
        accepted = base.Value;
        return false;
    }
}

public sealed class StringProperty : Property<string>, ICloneable, INotifyPropertyChanged
{
    public StringProperty(object name) : this(name, "") { }
    public StringProperty(object name, string defaultValue) : this(name, defaultValue, 32767) { }
    public StringProperty(object name, string defaultValue, int maxLength) : this(name, defaultValue, maxLength, false) { }
    public StringProperty(object name, string defaultValue, int maxLength, bool readOnly) : this(name, defaultValue, maxLength, readOnly, DefaultValueValidationFailureResult) { }
    public StringProperty(object name, string defaultValue, int maxLength, bool readOnly, ValueValidationFailureResult vvfResult) : base(name, defaultValue, readOnly, vvfResult)
    {
        MaxLength = maxLength;
    }
    public int MaxLength { get; }
    public override Property Clone() => CopyStateTo(new StringProperty(Name, DefaultValue, MaxLength, false, ValueValidationFailureResult));

    internal override bool TryValidateTyped(string value, out object? accepted)
    {
        accepted = value.Length <= MaxLength ? value : value[..MaxLength];
        return value.Length <= MaxLength;
    }
}

/// <summary>Untyped value holder for IndirectUI control properties (window title, display names, ...).</summary>
internal sealed class ObjectProperty(object name, object? value) : Property(name, typeof(object), value, false, ValueValidationFailureResult.Clamp)
{
    public override Property Clone() => CopyStateTo(new ObjectProperty(Name, DefaultValue));
    internal override bool TryValidate(object? value, out object? accepted)
    {
        accepted = value;
        return true;
    }
}

public sealed class PropertyCollection : INotifyPropertyChanged, IEnumerable<Property>, IEnumerable, ICloneable
{
    private readonly List<Property> _properties = new();
    private readonly Dictionary<string, Property> _byName = new(StringComparer.Ordinal);
    private readonly List<PropertyCollectionRule> _rules = new();

    public PropertyCollection() { }
    public PropertyCollection(IEnumerable<Property> properties) : this(properties, Array.Empty<PropertyCollectionRule>()) { }
    public PropertyCollection(IEnumerable<Property> properties, IEnumerable<PropertyCollectionRule> rules)
    {
        foreach (var p in properties) Add(p);
        foreach (var r in rules)
        {
            var rule = r.Clone();
            _rules.Add(rule);
            rule.Initialize(this);
        }
    }

    internal void Add(Property property)
    {
        if (!_byName.TryAdd(property.Name, property)) throw new ArgumentException($"Two properties are named '{property.Name}'.");
        _properties.Add(property);
        ((INotifyPropertyChanged)property).PropertyChanged += (sender, e) => PropertyChanged?.Invoke(sender, e);
    }

    // public int Count { get; }
    public int Count => _properties.Count;
    // public Property? this[object propertyName] { get; }
    public Property? this[object propertyName] => _byName.GetValueOrDefault(propertyName.ToString()!);
    // public IEnumerable<Property> Properties { get; }
    public IEnumerable<Property> Properties => _properties;
    // public IEnumerable<string> PropertyNames { get; }
    public IEnumerable<string> PropertyNames => _properties.Select(p => p.Name);
    // public IEnumerable<PropertyCollectionRule> Rules { get; }
    public IEnumerable<PropertyCollectionRule> Rules => _rules;
    public PropertyCollection Clone() => new(_properties.Select(p => p.Clone()), _rules);
    object ICloneable.Clone() => Clone();
    public void CopyCompatibleValuesFrom(PropertyCollection srcProps) => CopyCompatibleValuesFrom(srcProps, false);
    public void CopyCompatibleValuesFrom(PropertyCollection srcProps, bool ignoreReadOnlyFlags)
    {
        foreach (var source in srcProps)
        {
            if (this[source.Name] is not { } target || target.GetType() != source.GetType()) continue;
            if (target.ReadOnly && !ignoreReadOnlyFlags) continue;
            target.SetValueCore(source.Value);
        }
    }
    public static PropertyCollection CreateEmpty() => new();
    public IEnumerator<Property> GetEnumerator() => _properties.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    public bool TryGetProperty(object propertyName, out Property? property) => _byName.TryGetValue(propertyName.ToString()!, out property);
    public event PropertyChangedEventHandler? PropertyChanged;
}

public abstract class PropertyCollectionRule : ICloneable
{
    private PropertyCollection? _owner;

    internal PropertyCollectionRule() { }

    // protected PropertyCollection Owner { get; }
    protected PropertyCollection Owner => _owner ?? throw new InvalidOperationException("The rule is not attached to a property collection yet.");
    public abstract PropertyCollectionRule Clone();
    object ICloneable.Clone() => Clone();
    protected abstract void OnInitialized();

    internal void Initialize(PropertyCollection owner)
    {
        _owner = owner;
        OnInitialized();
    }
}

public sealed class ReadOnlyBoundToBooleanRule : PropertyCollectionRule, ICloneable
{
    private readonly string _target, _source;
    private readonly bool _inverse;

    public ReadOnlyBoundToBooleanRule(Property targetProperty, BooleanProperty sourceProperty, bool inverse) : this(targetProperty.Name, sourceProperty.Name, inverse) { }
    public ReadOnlyBoundToBooleanRule(object targetPropertyName, object sourceBooleanPropertyName, bool inverse)
    {
        _target = targetPropertyName.ToString()!;
        _source = sourceBooleanPropertyName.ToString()!;
        _inverse = inverse;
    }
    public override PropertyCollectionRule Clone() => new ReadOnlyBoundToBooleanRule(_target, _source, _inverse);
    protected override void OnInitialized()
    {
        var source = (BooleanProperty)(Owner[_source] ?? throw new ArgumentException($"No property '{_source}'."));
        var target = Owner[_target] ?? throw new ArgumentException($"No property '{_target}'.");
        void Apply() => target.ReadOnly = source.Value ^ _inverse;
        Apply();
        ((INotifyPropertyChanged)source).PropertyChanged += (_, _) => Apply();
    }
}

public enum ValueValidationFailureResult
{
    Ignore = 0,
    Clamp = 1,
    ThrowException = 2,
}
