namespace PaintDotNet.IndirectUI;

// IndirectUI in the facade stores what the effect asks for (controls, control values, display names) and shows nothing;
// the test host reads it back.

public abstract class ControlInfo : ICloneable
{
    private readonly List<ControlInfo> _children = new();

    internal ControlInfo() { ControlProperties = new PropertyCollection(); }

    // public IReadOnlyList<ControlInfo> ChildControls { get; }
    public IReadOnlyList<ControlInfo> ChildControls => _children;
    public PropertyCollection ControlProperties { get; protected set; }
    public abstract ControlInfo Clone();
    object ICloneable.Clone() => Clone();
    public static ControlInfo CreateDefaultConfigUI(IEnumerable<Property> properties)
    {
        var panel = new PanelControlInfo();
        foreach (var p in properties) panel.AddChildControl(PropertyControlInfo.CreateFor(p));
        return panel;
    }
    public PropertyControlInfo? FindControlForPropertyName(object propertyName)
    {
        string name = propertyName.ToString()!;
        if (this is PropertyControlInfo own && own.Property.Name == name) return own;
        foreach (var child in _children)
            if (child.FindControlForPropertyName(name) is { } found) return found;
        return null;
    }
    protected IList<ControlInfo> GetChildControlsCore() => _children;
    public bool SetPropertyControlType(object propertyName, PropertyControlType newControlType)
    {
        if (FindControlForPropertyName(propertyName) is not { } control) return false;
        control.ControlType.SetValueCore(newControlType);
        return true;
    }
    public bool SetPropertyControlValue(object propertyName, object controlPropertyName, object? propertyValue)
    {
        if (FindControlForPropertyName(propertyName) is not { } control) return false;
        string key = controlPropertyName.ToString()!;
        if (control.ControlProperties[key] is { } existing) existing.SetValueCore(propertyValue);
        else control.ControlProperties.Add(new ObjectProperty(key, propertyValue));
        return true;
    }
}

public sealed class PropertyControlInfo : ControlInfo, ICloneable
{
    private readonly Dictionary<object, string> _displayNames = new();

    private PropertyControlInfo(Property property)
    {
        Property = property;
        var kinds = Enum.GetValues<PropertyControlType>().Cast<object>().ToArray();
        ControlType = new StaticListChoiceProperty(nameof(ControlType), kinds, Array.IndexOf(kinds, DefaultControlType(property)));
    }

    private static PropertyControlType DefaultControlType(Property p) => p switch
    {
        BooleanProperty => PropertyControlType.CheckBox,
        StaticListChoiceProperty => PropertyControlType.DropDown,
        StringProperty => PropertyControlType.TextBox,
        _ => PropertyControlType.Slider,
    };

    public StaticListChoiceProperty ControlType { get; }
    public Property Property { get; }
    public override ControlInfo Clone()
    {
        var copy = new PropertyControlInfo(Property);
        copy.ControlType.SetValueCore(ControlType.Value);
        foreach (var (k, v) in _displayNames) copy._displayNames[k] = v;
        copy.ControlProperties = ControlProperties.Clone();
        return copy;
    }
    public static PropertyControlInfo CreateFor(Property property) => new(property);
    public string GetValueDisplayName(object value) => _displayNames.TryGetValue(value, out var name) ? name : value.ToString() ?? "";
    public void SetValueDisplayName(object value, string displayName) => _displayNames[value] = displayName;
}

public sealed class PanelControlInfo : ControlInfo, ICloneable
{
    public PanelControlInfo() { }
    public T AddChildControl<T>(T controlInfo) where T : ControlInfo
    {
        GetChildControlsCore().Add(controlInfo);
        return controlInfo;
    }
    public override ControlInfo Clone()
    {
        var copy = new PanelControlInfo { ControlProperties = ControlProperties.Clone() };
        foreach (var child in ChildControls) copy.AddChildControl(child.Clone());
        return copy;
    }
    public void RemoveChildControl(ControlInfo controlInfo) => GetChildControlsCore().Remove(controlInfo);
}

public static class ControlInfoExtensions
{
    public static bool SetPropertyControlValue(this ControlInfo controlInfo, object propertyName, ControlInfoPropertyNames controlPropertyName, object? propertyValue) =>
        controlInfo.SetPropertyControlValue(propertyName, (object)controlPropertyName, propertyValue);
}

public enum ControlInfoPropertyNames
{
    DisplayName = 0,
    Description = 1,
    ControlType = 2,
    ButtonText = 3,
    UseExponentialScale = 4,
    DecimalPlaces = 5,
    SliderSmallChange = 6,
    SliderSmallChangeX = 7,
    SliderSmallChangeY = 8,
    SliderLargeChange = 9,
    SliderLargeChangeX = 10,
    SliderLargeChangeY = 11,
    UpDownIncrement = 12,
    UpDownIncrementX = 13,
    UpDownIncrementY = 14,
    StaticImageUnderlay = 15,
    Multiline = 16,
    ShowResetButton = 17,
    SliderShowTickMarks = 18,
    SliderShowTickMarksX = 19,
    SliderShowTickMarksY = 20,
    WindowTitle = 21,
    WindowWidthScale = 22,
    WindowIsSizable = 23,
    SliderSmallChangeZ = 24,
    SliderLargeChangeZ = 25,
    UpDownIncrementZ = 26,
    SliderShowTickMarksZ = 27,
    Footnote = 28,
    RangeWraps = 29,
    ControlStyle = 30,
    ControlColors = 31,
    WindowHelpContentType = 32,
    WindowHelpContent = 33,
    AllowAllFiles = 34,
    FileTypes = 35,
    ShowHeaderLine = 36,
    WindowShowBottomSeparatorLine = 37,
    ExponentialScale = 38,
}

public enum PropertyControlType
{
    AngleChooser = 0,
    CheckBox = 1,
    PanAndSlider = 2,
    Slider = 3,
    IncrementButton = 4,
    DropDown = 5,
    TextBox = 6,
    RadioButton = 7,
    ColorWheel = 8,
    RollBallAndSliders = 9,
    FileChooser = 10,
    LinkLabel = 11,
    FolderChooser = 12,
    Null = 13,
    Label = 14,
}

public enum WindowHelpContentType
{
    None = 0,
    PlainText = 1,
    CustomViaCallback = 2,
}
