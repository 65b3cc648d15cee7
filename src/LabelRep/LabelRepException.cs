namespace LabelRep;

/// <summary>An error caused by the user's input or environment, with a message that says how to fix it.</summary>
public sealed class LabelRepException : Exception
{
    public LabelRepException(string message) : base(message) { }
    public LabelRepException(string message, Exception inner) : base(message, inner) { }
}
