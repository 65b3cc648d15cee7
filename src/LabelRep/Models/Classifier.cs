using LabelRep.Labels;
using TorchSharp;
using static TorchSharp.torch;

namespace LabelRep.Models;

/// <summary>
/// A model with its label kind's objective (training loss and decision rule): what accuracy, features and attacks
/// measure. <see cref="Name"/> says which one it is in results ("categorical:smallcnn").
/// </summary>
public sealed class Classifier : IDisposable
{
    public Classifier(LabelRepModel model, Objective objective, string name)
    {
        Model = model;
        Objective = objective;
        Name = name;
    }

    public LabelRepModel Model { get; }
    public Objective Objective { get; }
    public Decision Decision => Objective.Decision;
    public string Name { get; }
    public int ClassCount => Objective.Bank.ClassCount;

    /// <summary>Where the model's weights are; inputs go there.</summary>
    public Device Device => Model.parameters().First().device;

    /// <summary>Class scores (B, C) of images in [0, 1].</summary>
    public Tensor Scores(Tensor images) => Decision.Scores(Model.call(images));

    /// <summary>
    /// Eval mode (batch norm uses its running statistics) and no gradients for the weights: ready to be measured and
    /// attacked. Evaluation then runs <see cref="Evaluated"/>, the model with batch norm folded, built once here.
    /// </summary>
    public void Freeze()
    {
        Model.eval();
        foreach (var p in Model.parameters()) p.requires_grad_(false);
        // Freed here, not left to the finalizer thread (see LabelRepModel.FoldForEvaluation). An attack space built on
        // the earlier fold must not outlive this call; AttackRunner builds its spaces after its own Freeze.
        _folded?.Dispose();
        _folded = Model.FoldForEvaluation();
    }

    private FoldedModel? _folded;

    /// <summary>The model evaluation runs: the folded copy once <see cref="Freeze"/> has run, else the model itself.</summary>
    public IImageModel Evaluated => _folded ?? (IImageModel)Model;

    /// <summary>
    /// The model with batch norm folded, for one evaluation pass in eval mode; the caller disposes it. Frozen, it is
    /// the copy <see cref="Freeze"/> made (disposing it then frees nothing); otherwise it is folded from the weights
    /// of this moment, as a validation pass during training needs.
    /// </summary>
    public FoldedModel FoldForEvaluation() => _folded?.Borrow() ?? Model.FoldForEvaluation();

    /// <summary>Frees the folded copy <see cref="Freeze"/> made (the model itself belongs to its owner).</summary>
    public void Dispose()
    {
        _folded?.Dispose();
        _folded = null;
    }
}
