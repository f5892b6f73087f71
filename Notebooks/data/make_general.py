#!/usr/bin/env python3
"""Writes general-probe.jsonl (the general-capability probe of `eval general`) and
general-mix.jsonl (short general instructions to mix into a fine-tune with `data mix`).

Every item is written by hand for Attune. Deterministic: running it rewrites both files byte for
byte. The probe's items are short (one-line prompts, answers of a few words) so that the probe
answers quickly; each carries the check its reply must pass:

  check=exact     the reply equals the expected answer (spacing ignored)
  check=contains  the reply contains the expected answer (case ignored)
  check=regex     the reply matches `pattern` somewhere (anchor with ^…$)

The mix set shares no prompt with the probe (`data compare` finds no leak between them).
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def number(n):
    """A pattern for the number n standing alone (not inside a longer number)."""
    return r"(?<![\d.])" + str(n) + r"(?![\d]|\.\d)"


# (category, prompt, expected, check, pattern or None)
PROBE = []


def add(category, prompt, expected, check, pattern=None):
    PROBE.append((category, prompt, expected, check, pattern))


# Arithmetic: the answer as a number standing alone.
for a, op, b, result in [
    (2, "+", 3, 5), (7, "+", 5, 12), (9, "+", 8, 17), (15, "+", 6, 21), (20, "+", 30, 50),
    (10, "-", 4, 6), (18, "-", 9, 9), (100, "-", 1, 99), (3, "*", 4, 12), (6, "*", 7, 42),
    (5, "*", 5, 25), (9, "*", 3, 27), (12, "/", 3, 4), (20, "/", 5, 4), (100, "/", 10, 10),
]:
    word = {"+": "plus", "-": "minus", "*": "times", "/": "divided by"}[op]
    add("arithmetic", f"What is {a} {word} {b}? Answer with the number only.", str(result), "regex", number(result))
for prompt, result in [
    ("How many days are in a week?", 7),
    ("How many hours are in a day?", 24),
    ("How many minutes are in an hour?", 60),
    ("How many months are in a year?", 12),
    ("How many legs does a spider have?", 8),
    ("What is half of 10?", 5),
    ("What is double 8?", 16),
    ("How many sides does a triangle have?", 3),
    ("How many sides does a square have?", 4),
    ("What number comes after 99?", 100),
]:
    add("arithmetic", prompt + " Answer with the number only.", str(result), "regex", number(result))

# Facts: the answer's key word appears in the reply.
for prompt, answer in [
    ("What is the capital of France?", "Paris"),
    ("What is the capital of Japan?", "Tokyo"),
    ("What is the capital of Italy?", "Rome"),
    ("What is the capital of Germany?", "Berlin"),
    ("What is the capital of Spain?", "Madrid"),
    ("What is the capital of Egypt?", "Cairo"),
    ("Which planet is known as the Red Planet?", "Mars"),
    ("What is the largest planet in our solar system?", "Jupiter"),
    ("What star is at the centre of our solar system?", "Sun"),
    ("What gas do plants take in from the air?", "carbon dioxide"),
    ("What is frozen water called?", "ice"),
    ("At what temperature in Celsius does water boil at sea level?", "100"),
    ("Which ocean is the largest?", "Pacific"),
    ("What colour is the sky on a clear day?", "blue"),
    ("What colour do you get by mixing blue and yellow?", "green"),
    ("Which animal is known as the king of the jungle?", "lion"),
    ("What do bees make?", "honey"),
    ("Who wrote Romeo and Juliet?", "Shakespeare"),
    ("What language is mainly spoken in Brazil?", "Portuguese"),
    ("How many continents are there on Earth?", "7"),
    ("What is the chemical symbol for gold?", "Au"),
    ("What is the opposite of hot?", "cold"),
    ("What is the plural of mouse?", "mice"),
    ("Which season comes after winter?", "spring"),
    ("What is the first letter of the English alphabet?", "A"),
]:
    if answer in ("Au", "A", "7", "100"):
        add("facts", prompt, answer, "regex", r"\b" + answer + r"\b")
    else:
        add("facts", prompt, answer, "contains")

# Following a stated format.
add("format", "Reply with only the word yes.", "yes", "regex", r"^\s*[Yy]es[.!]?\s*$")
add("format", "Reply with only the word no.", "no", "regex", r"^\s*[Nn]o[.!]?\s*$")
add("format", "Write the word apple in capital letters.", "APPLE", "contains")
add("format", "Write the word HOUSE in lowercase letters.", "house", "regex", r"\bhouse\b")
add("format", "List three colours, separated by commas.", "red, green, blue", "regex", r"\w+\s*,\s*\w+\s*,\s*\w+")
add("format", "Write the numbers from 1 to 5, separated by spaces.", "1 2 3 4 5", "regex", r"1\D{1,3}2\D{1,3}3\D{1,3}4\D{1,3}5")
add("format", "Count from 1 to 3, separated by commas.", "1, 2, 3", "regex", r"1\s*,\s*2\s*,\s*3")
add("format", "Answer with true or false: the Earth is round.", "true", "regex", r"(?i)^\W*true\b")
add("format", "Answer with true or false: fish can fly to the moon.", "false", "regex", r"(?i)^\W*false\b")
add("format", "Answer yes or no: is ice cold?", "yes", "regex", r"(?i)^\W*yes\b")
add("format", "Answer yes or no: is fire cold?", "no", "regex", r"(?i)^\W*no\b")
add("format", "Give a JSON object with the key \"name\" and the value \"Ada\".", "{\"name\": \"Ada\"}", "regex",
    r"\{\s*\"name\"\s*:\s*\"Ada\"\s*\}")
add("format", "Write one word that rhymes with cat.", "hat", "regex", r"(?i)\b(hat|bat|mat|rat|sat|fat|pat|vat|chat|flat|that|splat|gnat|brat|spat)\b")
add("format", "Put the word hello in double quotes.", "\"hello\"", "regex", r"\"[Hh]ello\"")
add("format", "Write the letters a, b and c in upper case.", "A, B, C", "regex", r"A\W*B\W*C")
add("format", "Start your reply with the word Sure.", "Sure", "regex", r"^\W*Sure\b")
add("format", "Reply with a single digit: how many wheels does a bicycle have?", "2", "regex", r"^\s*2\s*\.?\s*$")
add("format", "Name one primary colour. Reply with one word.", "red", "regex", r"(?i)^\W*(red|blue|yellow)\W*$")
add("format", "Write the word sun three times, separated by commas.", "sun, sun, sun", "regex", r"(?i)sun\s*,\s*sun\s*,\s*sun")
add("format", "Reply with the number twelve written in digits.", "12", "regex", number(12))

# Refusing nonsense: a question with a false or impossible premise should be answered as such,
# not played along with.
NO = r"(?i)\b(no|not|none|zero|0|cannot|can't|can not|doesn't|does not|don't|do not|isn't|is not|aren't|are not|never|impossible|fictional|nonsense)\b"
for prompt in [
    "How many legs does a rock have?",
    "What colour is the number seven's hair?",
    "What is the capital city of the Pacific Ocean?",
    "How many wheels does a fish have?",
    "In which year did the Moon win the football world cup?",
    "What did the Eiffel Tower eat for breakfast yesterday?",
    "How many pages are in a banana?",
    "What is the phone number of the planet Saturn?",
    "How tall is the smell of rain in metres?",
    "Which day of the week is the colour purple?",
    "How many teeth does a cloud have?",
    "What is the name of the king of the planet Mars?",
    "What does a square circle look like?",
    "How much does the colour blue weigh in kilograms?",
    "Who was the first dog to be president of the ocean?",
]:
    add("refusal", prompt, "That question does not make sense.", "regex", NO)

# Short instructions.
add("instructions", "Translate the word hello into French.", "bonjour", "contains")
add("instructions", "Translate the word cat into Spanish.", "gato", "contains")
add("instructions", "Translate the word thank you into German.", "danke", "contains")
add("instructions", "Spell the word dog backwards.", "god", "contains")
add("instructions", "Repeat the word banana three times.", "banana banana banana", "regex", r"(?i)banana\W+banana\W+banana")
add("instructions", "Give the opposite of the word up.", "down", "contains")
add("instructions", "Give the opposite of the word happy.", "sad", "regex", r"(?i)\b(sad|unhappy)\b")
add("instructions", "Name a fruit that is yellow.", "banana", "regex", r"(?i)\b(banana|lemon|pineapple|mango)")
add("instructions", "Name an animal that can fly.", "bird", "regex", r"(?i)\b(bird|eagle|bat|owl|pigeon|parrot|sparrow|crow|duck|bee|butterfly|hawk|seagull|falcon)")
add("instructions", "Complete the sentence: The cat sat on the ...", "mat", "regex", r"(?i)\b(mat|chair|sofa|couch|table|floor|windowsill|rug|bed|fence|roof|wall)\b")
add("instructions", "Give the first three letters of the alphabet.", "A, B, C", "regex", r"(?i)\ba\W{1,3}b\W{1,3}c\b")
add("instructions", "Say hello.", "Hello", "contains")
add("instructions", "Write the past tense of the verb walk.", "walked", "contains")
add("instructions", "Write the plural of the word child.", "children", "contains")
add("instructions", "Name the day that comes after Monday.", "Tuesday", "contains")
add("instructions", "Name the month that comes after March.", "April", "contains")
add("instructions", "Write the number five as a word.", "five", "contains")
add("instructions", "Give a synonym of the word big.", "large", "regex", r"(?i)\b(large|huge|enormous|giant|great|vast|massive|gigantic|immense|tall)\b")
add("instructions", "Sort these numbers from smallest to largest: 3, 1, 2.", "1, 2, 3", "regex", r"1\D{1,4}2\D{1,4}3")
add("instructions", "Which is bigger, 9 or 4? Answer with the number.", "9", "regex", number(9))


# The mix set: short general instructions with a written answer, none of them a probe prompt.
MIX = [
    ("What is 4 plus 4?", "4 plus 4 is 8."),
    ("What is 11 plus 7?", "11 plus 7 is 18."),
    ("What is 30 minus 12?", "30 minus 12 is 18."),
    ("What is 8 times 6?", "8 times 6 is 48."),
    ("What is 7 times 7?", "7 times 7 is 49."),
    ("What is 45 divided by 9?", "45 divided by 9 is 5."),
    ("What is 13 plus 14?", "13 plus 14 is 27."),
    ("What is 50 minus 25?", "50 minus 25 is 25."),
    ("What is 2 times 11?", "2 times 11 is 22."),
    ("What is 81 divided by 9?", "81 divided by 9 is 9."),
    ("How many seconds are in a minute?", "There are 60 seconds in a minute."),
    ("How many days are in a leap year?", "A leap year has 366 days."),
    ("How many legs does a cow have?", "A cow has four legs."),
    ("How many corners does a rectangle have?", "A rectangle has four corners."),
    ("How many weeks are in a year?", "A year has 52 weeks."),
    ("What is the capital of Portugal?", "The capital of Portugal is Lisbon."),
    ("What is the capital of Canada?", "The capital of Canada is Ottawa."),
    ("What is the capital of Kenya?", "The capital of Kenya is Nairobi."),
    ("What is the capital of Norway?", "The capital of Norway is Oslo."),
    ("What is the capital of Greece?", "The capital of Greece is Athens."),
    ("What is the capital of Peru?", "The capital of Peru is Lima."),
    ("Which planet is closest to the Sun?", "Mercury is the planet closest to the Sun."),
    ("Which planet has the famous rings?", "Saturn is the planet best known for its rings."),
    ("What is the tallest mountain on Earth?", "Mount Everest is the tallest mountain above sea level."),
    ("What is the longest river in Africa?", "The Nile is the longest river in Africa."),
    ("What do caterpillars turn into?", "Caterpillars turn into butterflies or moths."),
    ("What do cows drink?", "Cows drink water."),
    ("What is the main ingredient of bread?", "The main ingredient of bread is flour."),
    ("What instrument has black and white keys?", "The piano has black and white keys."),
    ("Who painted the Mona Lisa?", "Leonardo da Vinci painted the Mona Lisa."),
    ("What language is spoken in Mexico?", "Spanish is the main language of Mexico."),
    ("What is the chemical symbol for water?", "The chemical formula for water is H2O."),
    ("What is the opposite of early?", "The opposite of early is late."),
    ("What is the opposite of light?", "The opposite of light is dark."),
    ("What is the plural of goose?", "The plural of goose is geese."),
    ("What is the plural of foot?", "The plural of foot is feet."),
    ("Which season comes after summer?", "Autumn comes after summer."),
    ("What is the last letter of the English alphabet?", "The last letter of the English alphabet is Z."),
    ("Reply with only the word maybe.", "maybe"),
    ("Reply with only the word okay.", "okay"),
    ("Write the word river in capital letters.", "RIVER"),
    ("Write the word GARDEN in lowercase letters.", "garden"),
    ("List three animals, separated by commas.", "dog, cat, horse"),
    ("List two fruits, separated by a comma.", "apple, pear"),
    ("Write the numbers from 6 to 9, separated by spaces.", "6 7 8 9"),
    ("Answer with true or false: a week has seven days.", "true"),
    ("Answer with true or false: snow is hot.", "false"),
    ("Answer yes or no: can birds fly?", "yes"),
    ("Answer yes or no: do stones swim?", "no"),
    ("Give a JSON object with the key \"city\" and the value \"Oslo\".", "{\"city\": \"Oslo\"}"),
    ("Write one word that rhymes with dog.", "log"),
    ("Put the word goodbye in single quotes.", "'goodbye'"),
    ("Start your reply with the word Certainly.", "Certainly. How can I help?"),
    ("Write the word moon twice, separated by a comma.", "moon, moon"),
    ("Reply with the number twenty written in digits.", "20"),
    ("How many ears does a teapot have?", "A teapot has no ears; it has a handle and a spout."),
    ("What colour is the letter Q's favourite song?", "That question does not make sense: letters do not have favourite songs."),
    ("What is the capital city of the Atlantic Ocean?", "The Atlantic Ocean is not a country, so it has no capital city."),
    ("How many windows does a potato have?", "A potato has no windows."),
    ("What did the Great Wall of China drink last night?", "The Great Wall of China is a structure; it does not drink anything."),
    ("How many chapters are in an apple?", "An apple is a fruit, not a book, so it has no chapters."),
    ("What is the email address of the planet Venus?", "Planets do not have email addresses."),
    ("How loud is the colour green in decibels?", "Colours make no sound, so green has no loudness in decibels."),
    ("Which month is the number nine's birthday?", "Numbers do not have birthdays, so the question has no answer."),
    ("How many feathers does a stone have?", "A stone has no feathers."),
    ("Translate the word goodbye into French.", "au revoir"),
    ("Translate the word dog into Spanish.", "perro"),
    ("Translate the word water into German.", "Wasser"),
    ("Spell the word star backwards.", "rats"),
    ("Repeat the word orange twice.", "orange orange"),
    ("Give the opposite of the word open.", "closed"),
    ("Give the opposite of the word fast.", "slow"),
    ("Name a fruit that is red.", "strawberry"),
    ("Name an animal that lives in the sea.", "dolphin"),
    ("Complete the sentence: The early bird catches the ...", "worm"),
    ("Give the last three letters of the alphabet.", "X, Y, Z"),
    ("Say good morning.", "Good morning!"),
    ("Write the past tense of the verb jump.", "jumped"),
    ("Write the plural of the word woman.", "women"),
    ("Name the day that comes after Friday.", "Saturday"),
    ("Name the month that comes after June.", "July"),
    ("Write the number eight as a word.", "eight"),
    ("Give a synonym of the word small.", "little"),
    ("Sort these numbers from largest to smallest: 2, 5, 4.", "5, 4, 2"),
    ("Which is smaller, 3 or 8? Answer with the number.", "3"),
    ("Name a vegetable that is orange.", "carrot"),
    ("Name a colour of the rainbow.", "violet"),
    ("Write a short greeting for a friend.", "Hi! It's great to see you."),
    ("Give one tip for sleeping well.", "Go to bed at the same time every night."),
    ("Describe the sea in three words.", "vast, blue, deep"),
    ("What do you call a baby cat?", "A baby cat is called a kitten."),
    ("What do you call a baby dog?", "A baby dog is called a puppy."),
    ("What is the freezing point of water in Celsius?", "Water freezes at 0 degrees Celsius."),
    ("What shape has three sides?", "A triangle has three sides."),
    ("What do you use to write on a blackboard?", "You write on a blackboard with chalk."),
    ("Name a tool for cutting paper.", "scissors"),
    ("Rewrite in the past tense: I eat lunch.", "I ate lunch."),
    ("Make this sentence a question: You are ready.", "Are you ready?"),
    ("Capitalize the first letter: london", "London"),
    ("Remove the vowels from the word table.", "tbl"),
]


def write(name, rows):
    path = os.path.join(HERE, name)
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


SWIFT = os.path.join(HERE, "..", "..", "Sources", "AttuneRuntime", "Evaluating", "GeneralProbe+Items.swift")


def write_builtin_probe():
    """The probe compiled into attune, so `eval general` needs no file (a test checks the copy)."""
    with open(os.path.join(HERE, "general-probe.jsonl"), encoding="utf-8") as f:
        text = f.read()
    assert '"#' not in text and "\\#" not in text
    with open(SWIFT, "w", encoding="utf-8") as f:
        f.write("// Generated by Notebooks/data/make_general.py from Notebooks/data/general-probe.jsonl: do not edit.\n")
        f.write("extension GeneralProbe {\n")
        f.write("    /// The probe's JSONL text, byte for byte the shipped `Notebooks/data/general-probe.jsonl`.\n")
        f.write('    static let builtinText = #"""\n')
        f.write(text)
        f.write('\n"""#\n}\n')


def main():
    probe = []
    for category, prompt, expected, check, pattern in PROBE:
        row = {"messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content": expected}],
               "category": category, "check": check}
        if pattern is not None:
            row["pattern"] = pattern
        probe.append(row)
    probe_prompts = {p for _, p, _, _, _ in PROBE}
    assert len(probe_prompts) == len(PROBE), "repeated probe prompt"
    mix = []
    for prompt, answer in MIX:
        assert prompt not in probe_prompts, prompt
        mix.append({"messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content": answer}]})
    assert len({p for p, _ in MIX}) == len(MIX), "repeated mix prompt"
    write("general-probe.jsonl", probe)
    write("general-mix.jsonl", mix)
    write_builtin_probe()
    print(f"general-probe.jsonl: {len(probe)} items; general-mix.jsonl: {len(mix)} examples")


if __name__ == "__main__":
    main()
