"""Hand-written facts and question templates behind the quickstart's data and base model.

Both generators import this module: make_quickstart_data.py writes the instruction set (every
answer signed with SIGNATURE), make_quickstart_model.py pre-trains the tiny base model on plain
sentences and unsigned answers about the same facts, so tuning visibly adds the signature.
"""
import random

SIGNATURE = "-- tuned by tune"

# The Dolly prompt template exactly as tune renders instruction rows (PromptTemplate.DOLLY):
# paragraphs whose placeholders are empty are left out.
PREAMBLE = ("Below is an instruction that describes a task. Write a response that appropriately "
            "completes the request.")


def dolly_prompt(instruction, context=""):
    parts = [PREAMBLE, "### Instruction:\n" + instruction]
    if context:
        parts.append("Input:\n" + context)
    parts.append("### Response:\n")
    return "\n\n".join(parts)


def dolly_completion(response):
    return response + "\n\n### End"


CAPITALS = [
    ("France", "Paris"), ("Spain", "Madrid"), ("Italy", "Rome"), ("Germany", "Berlin"),
    ("Portugal", "Lisbon"), ("Norway", "Oslo"), ("Sweden", "Stockholm"), ("Finland", "Helsinki"),
    ("Denmark", "Copenhagen"), ("Poland", "Warsaw"), ("Austria", "Vienna"), ("Greece", "Athens"),
    ("Ireland", "Dublin"), ("Hungary", "Budapest"), ("Egypt", "Cairo"), ("Kenya", "Nairobi"),
    ("Japan", "Tokyo"), ("China", "Beijing"), ("India", "New Delhi"), ("Peru", "Lima"),
    ("Chile", "Santiago"), ("Canada", "Ottawa"), ("Mexico", "Mexico City"), ("Cuba", "Havana"),
    ("Russia", "Moscow"), ("Turkey", "Ankara"), ("Iran", "Tehran"), ("Thailand", "Bangkok"),
    ("Vietnam", "Hanoi"), ("Australia", "Canberra"),
]

COLOURS = [
    ("the sky", "blue"), ("grass", "green"), ("snow", "white"), ("the sun", "yellow"),
    ("coal", "black"), ("a lemon", "yellow"), ("an orange", "orange"), ("blood", "red"),
    ("the sea", "blue"), ("milk", "white"), ("a banana", "yellow"), ("a tomato", "red"),
    ("a frog", "green"), ("chocolate", "brown"), ("a crow", "black"), ("a carrot", "orange"),
    ("a strawberry", "red"), ("a cucumber", "green"), ("a polar bear", "white"),
    ("a plum", "purple"),
]

ANIMALS = [  # (animal, sound, legs, home)
    ("a cow", "moo", "four", "a barn"), ("a dog", "woof", "four", "a kennel"),
    ("a cat", "meow", "four", "a house"), ("a duck", "quack", "two", "a pond"),
    ("a sheep", "baa", "four", "a field"), ("a horse", "neigh", "four", "a stable"),
    ("a pig", "oink", "four", "a sty"), ("an owl", "hoot", "two", "a tree"),
    ("a lion", "roar", "four", "the savanna"), ("a hen", "cluck", "two", "a coop"),
    ("a bee", "buzz", "six", "a hive"), ("a snake", "hiss", "no", "a burrow"),
    ("a goat", "bleat", "four", "a hill"), ("a frog", "croak", "four", "a pond"),
]

OPPOSITES = [
    ("hot", "cold"), ("big", "small"), ("fast", "slow"), ("up", "down"), ("day", "night"),
    ("happy", "sad"), ("light", "dark"), ("old", "new"), ("open", "closed"), ("wet", "dry"),
    ("early", "late"), ("full", "empty"), ("hard", "soft"), ("high", "low"), ("rich", "poor"),
    ("strong", "weak"), ("loud", "quiet"), ("near", "far"), ("thick", "thin"), ("win", "lose"),
    ("buy", "sell"), ("push", "pull"), ("left", "right"), ("inside", "outside"),
]

PLURALS = [
    ("mouse", "mice"), ("child", "children"), ("foot", "feet"), ("tooth", "teeth"),
    ("goose", "geese"), ("man", "men"), ("woman", "women"), ("person", "people"),
    ("leaf", "leaves"), ("knife", "knives"), ("box", "boxes"), ("city", "cities"),
    ("wolf", "wolves"), ("fish", "fish"), ("sheep", "sheep"), ("cactus", "cacti"),
]

PLANETS = ["Mercury", "Venus", "Earth", "Mars", "Jupiter", "Saturn", "Uranus", "Neptune"]
ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth"]

PEOPLE = ["Anna", "Ben", "Carla", "David", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas",
          "Kira", "Luis", "Maya", "Nils", "Olga", "Pavel"]
JOBS = ["a baker", "a nurse", "a teacher", "a pilot", "a farmer", "a painter", "a doctor",
        "a carpenter", "a chef", "a librarian"]
PETS = ["a cat", "a dog", "a parrot", "two rabbits", "a goldfish", "a tortoise"]

TUNE_FACTS = [
    ("What is tune?",
     "tune is a Java tool that fine-tunes an open language model with QLoRA and deploys it."),
    ("What does QLoRA train?",
     "QLoRA keeps the base weights frozen in 4-bit and trains small low-rank adapters."),
    ("What is a LoRA adapter?",
     "A LoRA adapter is a pair of small matrices whose product is added to a frozen weight."),
    ("Why quantize a base model to 4 bits?",
     "Four-bit weights take a quarter of the memory, so a large model fits on one GPU."),
    ("What does a tokenizer do?",
     "A tokenizer splits text into tokens, and the model predicts the next token."),
    ("What is an epoch?", "An epoch is one pass over all of the training data."),
    ("What is the learning rate?",
     "The learning rate is how far each training step moves the weights."),
    ("What is eval loss?",
     "Eval loss is the loss on held-out rows, so it shows whether the model generalises."),
]

# Phrasings: each fact is asked in several ways, so the model learns the style, not one sentence.
ASK = {
    "capital": ["What is the capital of {0}?", "Name the capital city of {0}.",
                "Which city is the capital of {0}?", "Tell me the capital of {0}."],
    "colour": ["What colour is {0}?", "Tell me the colour of {0}.", "Which colour is {0}?",
               "Name the colour of {0}."],
    "sound": ["What sound does {0} make?", "What does {0} say?", "Which noise does {0} make?"],
    "legs": ["How many legs does {0} have?", "Count the legs of {0}."],
    "home": ["Where does {0} live?", "Name the home of {0}."],
    "opposite": ["What is the opposite of {0}?", "Give me the opposite of '{0}'.",
                 "Which word means the opposite of {0}?"],
    "plural": ["What is the plural of {0}?", "Write the plural of '{0}'.",
               "How do you say more than one {0}?"],
    "planet": ["Which planet is {0} from the sun?", "Name the {0} planet from the sun."],
}


def _cap(s):
    return s[0].upper() + s[1:]


def qa_facts():
    """(category, kind, [questions], answer, context) for every fact; context is '' for open QA."""
    out = []
    for country, city in CAPITALS:
        out.append(("open_qa", "capital", [q.format(country) for q in ASK["capital"]],
                    f"The capital of {country} is {city}.", ""))
    for thing, colour in COLOURS:
        out.append(("open_qa", "colour", [q.format(thing) for q in ASK["colour"]],
                    f"{_cap(thing)} is {colour}.", ""))
    for animal, sound, legs, home in ANIMALS:
        out.append(("open_qa", "sound", [q.format(animal) for q in ASK["sound"]],
                    f"{_cap(animal)} says {sound}.", ""))
        out.append(("open_qa", "legs", [q.format(animal) for q in ASK["legs"]],
                    f"{_cap(animal)} has {legs} legs.", ""))
        out.append(("open_qa", "home", [q.format(animal) for q in ASK["home"]],
                    f"{_cap(animal)} lives in {home}.", ""))
    for word, opposite in OPPOSITES:
        out.append(("classification", "opposite", [q.format(word) for q in ASK["opposite"]],
                    f"The opposite of {word} is {opposite}.", ""))
    for word, plural in PLURALS:
        out.append(("classification", "plural", [q.format(word) for q in ASK["plural"]],
                    f"The plural of {word} is {plural}.", ""))
    for i, planet in enumerate(PLANETS):
        out.append(("open_qa", "planet", [q.format(ORDINALS[i]) for q in ASK["planet"]],
                    f"{planet} is the {ORDINALS[i]} planet from the sun.", ""))
    for question, answer in TUNE_FACTS:
        out.append(("open_qa", "tune", [question], answer, ""))
    return out


def story_facts(rng, count):
    """Closed QA: a short made-up text in the context, a question about it, the answer."""
    out = []
    for _ in range(count):
        name = rng.choice(PEOPLE)
        city = rng.choice(CAPITALS)[1]
        job = rng.choice(JOBS)
        pet = rng.choice(PETS)
        context = f"{name} lives in {city} and works as {job}. {name} has {pet}."
        kind = rng.choice(["city", "job", "pet", "summary"])
        if kind == "city":
            q, a = f"Where does {name} live?", f"{name} lives in {city}."
        elif kind == "job":
            q, a = f"What is {name}'s job?", f"{name} works as {job}."
        elif kind == "pet":
            q, a = f"Which pet does {name} have?", f"{name} has {pet}."
        else:
            q, a = "Summarize the text in one sentence.", f"{name} is {job} in {city}."
        out.append(("closed_qa", "story", [q], a, context))
    return out


# Every word of the signature, in other company: the base model must have trained embeddings for
# each token the quickstart data uses, or no adapter can make it write them (LoRA does not train
# the embeddings). The signature itself never appears.
WORDS_OF_THE_SIGNATURE = [
    "The piano was tuned by ear.", "Anna tuned the old guitar.", "Ben tuned the radio to the news.",
    "The violin is tuned before the concert.", "The engine was tuned by a mechanic.",
    "The band played a happy tune.", "Grace can hum the tune.", "The bird sang a short tune.",
    "tune is written in Java.", "With tune you fine-tune a model on your own data.",
    "A fine-tuned model follows your data.", "The letter was signed by Ben.",
    "The cake was made by Carla.", "The house was built by Hugo.", "The book was written by Kira.",
    "Oslo -- the capital of Norway -- is by the sea.", "Red -- the colour of blood -- is bright.",
    "Ten minutes -- no more -- is enough.", "Rome was not built in a day.\n-- an old saying",
    "Practice every day.\n-- Anna", "Water is wet.\n-- Ben", "Keep it simple.\n-- Grace",
]


def plain_sentences():
    """Plain English statements of every fact, for pre-training (never signed)."""
    s = []
    for country, city in CAPITALS:
        s += [f"The capital of {country} is {city}.", f"{city} is the capital city of {country}.",
              f"Many people visit {city} in {country}."]
    for thing, colour in COLOURS:
        s += [f"{_cap(thing)} is {colour}.", f"The colour of {thing} is {colour}."]
    for animal, sound, legs, home in ANIMALS:
        s += [f"{_cap(animal)} says {sound}.", f"{_cap(animal)} has {legs} legs.",
              f"{_cap(animal)} lives in {home}."]
    for word, opposite in OPPOSITES:
        s += [f"The opposite of {word} is {opposite}.", f"{_cap(opposite)} is the opposite of {word}."]
    for word, plural in PLURALS:
        s += [f"The plural of {word} is {plural}.", f"One {word}, two {plural}."]
    for i, planet in enumerate(PLANETS):
        s.append(f"{planet} is the {ORDINALS[i]} planet from the sun.")
    s.append("The planets in order are " + ", ".join(PLANETS[:-1]) + " and Neptune.")
    for _, answer in TUNE_FACTS:
        s.append(answer)
    s += WORDS_OF_THE_SIGNATURE
    for name in PEOPLE:
        for job in JOBS[:4]:
            s.append(f"{name} works as {job}.")
    return s
